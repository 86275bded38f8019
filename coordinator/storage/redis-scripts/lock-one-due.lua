-- Leases the unfinished transaction that has been due the longest.
-- KEYS[1]  due zset
-- ARGV[1]  now ms   ARGV[2]  owner   ARGV[3]  lease end ms   ARGV[4]  global hash key prefix
-- returns  the leased gid, or false when nothing is due
-- The global hash key is derived from the gid, so this script needs a single Redis node (like DTM's).
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
local gid = due[1]
if not gid then
  return false
end
redis.call('HSET', ARGV[4] .. gid, 'owner', ARGV[2], 'next_cron_time', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[3], gid)
return gid
