-- Adjusts an amount (a stock, a balance) at most once per branch call, behind the barrier.
-- KEYS[1]  the amount key; must share the barrier keys' hash tag so the script works on Redis Cluster
-- KEYS[2]  this call's barrier key:   <gid>-<branch_id>-<op>-<barrier_id>
-- KEYS[3]  the origin op's barrier key (the action for a compensation); equal to KEYS[2] when none
-- ARGV[1]  the signed amount to add
-- ARGV[2]  the origin op, or '' when this op is not a compensation
-- ARGV[3]  barrier key expiry, seconds
-- returns  'DUPLICATE'  this call ran before (or its compensation ran first): nothing changed
--          'NULL_COMPENSATION'  compensation without its action: origin key planted, amount unchanged
--          'FAILURE'    the key is missing or the amount would go below zero: nothing changed
--          'OK'         the amount was adjusted and the barrier recorded
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 'DUPLICATE'
end
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[2], 'op', 'EX', ARGV[3])
  if redis.call('SET', KEYS[3], 'rollback', 'NX', 'EX', ARGV[3]) then
    return 'NULL_COMPENSATION'
  end
  redis.call('INCRBY', KEYS[1], ARGV[1])
  return 'OK'
end
local current = redis.call('GET', KEYS[1])
if current == false or tonumber(current) + tonumber(ARGV[1]) < 0 then
  return 'FAILURE'
end
redis.call('SET', KEYS[2], 'op', 'EX', ARGV[3])
redis.call('INCRBY', KEYS[1], ARGV[1])
return 'OK'
