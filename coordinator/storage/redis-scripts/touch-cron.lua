-- Reschedules an unfinished transaction; a finished one is left alone.
-- KEYS[1]  global hash   KEYS[2]  due zset   KEYS[3]  branch data hash   KEYS[4]  event list
-- ARGV[1]  next_cron_interval_ms   ARGV[2]  next_cron_time ms   ARGV[3]  retry_count
-- ARGV[4]  update_time ms   ARGV[5]  gid   ARGV[6]  '1' when it needs the lease of ARGV[7], the owner
-- ARGV[8]  events kept   ARGV[9] …  branch outcomes (apply-outcomes.lua), then events (append-events.lua),
--          always recorded
-- returns  'OK'; 'FINISHED' or 'LOST' (another owner leased it) when the schedule was not changed; an
--          error reply, with nothing written, when the next time is not a finite number (checked before
--          the first write: Redis does not undo a script that fails half-way)
local due = tonumber(ARGV[2])
if due == nil or due ~= due or due == math.huge or due == -math.huge then
  return redis.error_reply('next_cron_time is not a finite number: ' .. tostring(ARGV[2]))
end
apply_outcomes(KEYS[3], 9)
append_events(KEYS[4], KEYS[1], tonumber(ARGV[8]), 10 + 3 * tonumber(ARGV[9]))
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'succeed' or status == 'failed' then
  return 'FINISHED'
end
if ARGV[6] == '1' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[7] then
  return 'LOST'
end
redis.call('HSET', KEYS[1], 'next_cron_interval_ms', ARGV[1], 'next_cron_time', ARGV[2], 'retry_count', ARGV[3], 'update_time', ARGV[4])
redis.call('ZADD', KEYS[2], due, ARGV[5])
return 'OK'
