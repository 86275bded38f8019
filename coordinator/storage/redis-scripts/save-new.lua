-- Inserts a new global transaction with its branches, or nothing when the gid exists.
-- KEYS[1]  global hash        KEYS[2]  branch order list   KEYS[3]  branch data hash
-- KEYS[4]  due zset (gid scored by next_cron_time ms)      KEYS[5]  listing zset (gid scored by id)
-- KEYS[6]  id counter
-- ARGV[1]  gid   ARGV[2]  next_cron_time ms   ARGV[3]  N, the number of global field/value pairs
-- ARGV[4 .. 3+2N]  global field/value pairs; then branch key/json pairs to the end
-- returns  'UNIQUE_CONFLICT' when the gid exists, else 'OK'
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 'UNIQUE_CONFLICT'
end
local n = tonumber(ARGV[3])
local id = redis.call('INCR', KEYS[6])
for i = 4, 3 + 2 * n, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'id', id)
for i = 4 + 2 * n, #ARGV, 2 do
  redis.call('RPUSH', KEYS[2], ARGV[i])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[5], id, ARGV[1])
return 'OK'
