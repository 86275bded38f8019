-- Makes an unfinished transaction due at once (the admin's "retry now").
-- KEYS[1]  global hash   KEYS[2]  due zset
-- ARGV[1]  the new next_cron_time ms   ARGV[2]  gid
-- returns  1 when it was reset, 0 when the transaction is missing or finished
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'succeed' or status == 'failed' then
  return 0
end
redis.call('HSET', KEYS[1], 'next_cron_time', ARGV[1], 'update_time', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
return 1
