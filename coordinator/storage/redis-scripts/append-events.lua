-- Prelude shared by the scripts that record a transaction's events (the dashboard's time line).
-- append_events(event list key, global hash key, kept, first ARGV index): ARGV[first] is the number of
-- events m, then m event JSONs. The list keeps the newest `kept` and expires with the global hash.
-- Returns the ARGV index after the events.
local function append_events(events_key, global_key, kept, first)
  local m = tonumber(ARGV[first])
  for i = first + 1, first + m do
    redis.call('RPUSH', events_key, ARGV[i])
  end
  if m > 0 then
    redis.call('LTRIM', events_key, -kept, -1)
    local ttl = redis.call('PTTL', global_key)
    if ttl > 0 then redis.call('PEXPIRE', events_key, ttl) end
  end
  return first + 1 + m
end

