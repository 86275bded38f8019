-- Reschedules an unfinished transaction; a finished one is left alone.
-- KEYS[1]  global hash   KEYS[2]  due zset   KEYS[3]  branch data hash   KEYS[4]  event list
-- ARGV[1]  JSON: interval_ms (next_cron_interval_ms), due (next_cron_time ms), retry_count, update_time
--          (ms), gid, lease (true when it needs the lease of owner), owner, kept (events kept), outcomes
--          (apply_outcomes) and events (append_events), always recorded; the numbers the hash keeps are
--          strings
-- returns  'OK'; 'FINISHED' or 'LOST' (another owner leased it) when the schedule was not changed; an
--          error reply, with nothing written, when the document does not decode, lacks its lists, or its
--          next time is not a finite number (checked before the first write: Redis does not undo a script
--          that fails half-way; the rest of the document, built by redis-store.ts, is trusted)
local req = progress_request()
if not req then
  return redis.error_reply('malformed schedule request')
end
local due = finite_number(req.due)
if not due then
  return redis.error_reply('next_cron_time is not a finite number: ' .. tostring(req.due))
end
apply_outcomes(KEYS[3], req.outcomes)
append_events(KEYS[4], KEYS[1], req.kept, req.events)
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'succeed' or status == 'failed' then
  return 'FINISHED'
end
if req.lease and redis.call('HGET', KEYS[1], 'owner') ~= req.owner then
  return 'LOST'
end
redis.call('HSET', KEYS[1], 'next_cron_interval_ms', req.interval_ms, 'next_cron_time', req.due,
  'retry_count', req.retry_count, 'update_time', req.update_time)
redis.call('ZADD', KEYS[2], due, req.gid)
return 'OK'
