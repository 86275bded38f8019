-- Extends the lease of its owner on an unfinished transaction.
-- KEYS[1]  global hash   KEYS[2]  due zset
-- ARGV[1]  owner   ARGV[2]  the new next_cron_time ms   ARGV[3]  gid
-- returns  1 when extended; 0 when another owner leased it, or it is missing or finished
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'succeed' or status == 'failed' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'next_cron_time', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
