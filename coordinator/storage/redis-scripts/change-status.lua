-- Compare-and-set of a global transaction's status.
-- KEYS[1]  global hash   KEYS[2]  due zset
-- ARGV[1]  expected status   ARGV[2]  new status   ARGV[3]  update_time ms
-- ARGV[4]  finish_time ms or ''   ARGV[5]  rollback_time ms or ''   ARGV[6]  rollback_reason or ''
-- ARGV[7]  gid   ARGV[8]  '1' when the new status is final (the gid leaves the due zset)
-- ARGV[9]  ms after which a finished transaction's keys expire
-- KEYS[3]  branch order list   KEYS[4]  branch data hash (they expire with the global hash)
-- ARGV[10] … branch outcomes as apply-outcomes.lua reads them; recorded even when the status conflicts
-- returns  'OK', or 'CONFLICT' when the stored status is not the expected one
apply_outcomes(KEYS[4], 10)
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then
  return 'CONFLICT'
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'update_time', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'finish_time', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'rollback_time', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'rollback_reason', ARGV[6]) end
if ARGV[8] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[7])
  for i = 1, 4 do
    if i ~= 2 then redis.call('PEXPIRE', KEYS[i], ARGV[9]) end
  end
end
return 'OK'
