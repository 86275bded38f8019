// The dashboard's only script (no build step): shows times in local time, turns the filter form's
// date pickers into the epoch milliseconds `all` takes, and refreshes the list or an unfinished
// transaction every second, so a transaction fired from curl shows up without a reload.

const REFRESH_MS = 1000;

function pad(n, width = 2) {
  return String(n).padStart(width, '0');
}

function showLocalTimes(root) {
  for (const t of root.querySelectorAll('time[datetime]')) {
    const d = new Date(t.dateTime);
    t.title = t.dateTime;
    t.textContent =
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
}

function toPickerValue(ms) {
  const d = new Date(Number(ms));
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function wireFilterForm(form) {
  for (const picker of form.querySelectorAll('input[data-ms]')) {
    const hidden = form.querySelector(`input[name="${picker.dataset.ms}"]`);
    if (hidden.value) picker.value = toPickerValue(hidden.value);
  }
  form.addEventListener('submit', () => {
    for (const picker of form.querySelectorAll('input[data-ms]')) {
      const hidden = form.querySelector(`input[name="${picker.dataset.ms}"]`);
      hidden.value = picker.value ? String(new Date(picker.value).getTime()) : '';
    }
    // Empty fields stay out of the URL.
    for (const field of form.querySelectorAll('input[name], select[name]')) field.disabled = field.value === '';
  });
}

function openDetails(section) {
  return new Set(
    [...section.querySelectorAll('tr[data-branch] details[open]')].map((d) => {
      const row = d.closest('tr');
      return `${row.dataset.branch}|${row.dataset.op}`;
    }),
  );
}

function reopen(section, keys) {
  for (const row of section.querySelectorAll('tr[data-branch]')) {
    const details = row.querySelector('details');
    if (details && keys.has(`${row.dataset.branch}|${row.dataset.op}`)) details.open = true;
  }
}

function keepRefreshed(section) {
  const kind = section.dataset.refresh;
  if (!kind) return;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || document.visibilityState !== 'visible') return;
    busy = true;
    try {
      const url = new URL(location.href);
      url.searchParams.delete('notice');
      url.searchParams.set('partial', kind);
      const res = await fetch(url, { headers: { accept: 'text/html' }, redirect: 'manual' });
      if (!res.ok) {
        clearInterval(timer);
        return;
      }
      const holder = document.createElement('template');
      holder.innerHTML = await res.text();
      const fresh = holder.content.firstElementChild;
      const current = document.getElementById(section.id);
      if (!fresh || !current) return;
      const open = openDetails(current);
      current.replaceWith(fresh);
      reopen(fresh, open);
      showLocalTimes(fresh);
      if (!fresh.dataset.refresh) clearInterval(timer);
    } catch {
      // The coordinator may be restarting; the next tick tries again.
    } finally {
      busy = false;
    }
  }, REFRESH_MS);
}

showLocalTimes(document);
const filters = document.querySelector('form.filters');
if (filters) wireFilterForm(filters);
for (const section of document.querySelectorAll('section[data-refresh]')) keepRefreshed(section);
