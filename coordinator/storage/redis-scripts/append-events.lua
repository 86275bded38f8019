-- Prelude shared by the scripts that record a transaction's events (the dashboard's time line).
-- append_events(event list key, global hash key, kept, events): events is a list of events, each a table
-- of its fields, stored as its JSON. The list keeps the newest `kept` and expires with the global hash.
local function append_events(events_key, global_key, kept, events)
  for _, event in ipairs(events) do
    redis.call('RPUSH', events_key, cjson.encode(event))
  end
  if #events > 0 then
    redis.call('LTRIM', events_key, -kept, -1)
    local ttl = redis.call('PTTL', global_key)
    if ttl > 0 then redis.call('PEXPIRE', events_key, ttl) end
  end
end

