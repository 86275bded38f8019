-- Compare-and-set of a global transaction's status, with the progress of the pass that moves it.
-- KEYS[1]  global hash   KEYS[2]  due zset
-- KEYS[3]  branch order list   KEYS[4]  branch data hash   KEYS[5]  event list (they expire with the global hash)
-- ARGV[1]  expected status   ARGV[2]  new status   ARGV[3]  update_time ms
-- ARGV[4]  finish_time ms or ''   ARGV[5]  rollback_time ms or ''   ARGV[6]  rollback_reason or ''
-- ARGV[7]  gid   ARGV[8]  '1' when the new status is final (the gid leaves the due zset)
-- ARGV[9]  ms after which a finished transaction's keys expire
-- ARGV[10] the status event's JSON   ARGV[11] events kept
-- ARGV[12] '1' when the move needs the lease of ARGV[13], the owner
-- ARGV[14] … branch outcomes (apply-outcomes.lua), then events (append-events.lua): recorded even when
--          the status conflicts; then the failed outcomes (apply-outcomes.lua), recorded only with the move
-- returns  'OK', or 'CONFLICT' when the stored status is not the expected one or the lease moved on
apply_outcomes(KEYS[4], 14)
local failures = append_events(KEYS[5], KEYS[1], tonumber(ARGV[11]), 15 + 3 * tonumber(ARGV[14]))
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then
  return 'CONFLICT'
end
if ARGV[12] == '1' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[13] then
  return 'CONFLICT'
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'update_time', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'finish_time', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'rollback_time', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'rollback_reason', ARGV[6]) end
apply_outcomes(KEYS[4], failures)
redis.call('RPUSH', KEYS[5], ARGV[10])
redis.call('LTRIM', KEYS[5], -tonumber(ARGV[11]), -1)
if ARGV[8] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[7])
  for i = 1, 5 do
    if i ~= 2 then redis.call('PEXPIRE', KEYS[i], ARGV[9]) end
  end
end
return 'OK'
