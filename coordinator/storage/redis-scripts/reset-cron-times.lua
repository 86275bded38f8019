-- Makes up to `limit` unfinished transactions due at once when they are scheduled later than `after`.
-- KEYS[1]  due zset (only unfinished gids are in it)
-- ARGV[1]  after ms   ARGV[2]  now ms   ARGV[3]  limit   ARGV[4]  global hash key prefix
-- returns  {count reset, 1 when more matched than limit else 0}
-- The global hash key is derived from the gid, so this script needs a single Redis node (like DTM's).
local limit = tonumber(ARGV[3])
local gids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '+inf', 'LIMIT', 0, limit + 1)
local count = 0
for i = 1, math.min(#gids, limit) do
  redis.call('ZADD', KEYS[1], ARGV[2], gids[i])
  redis.call('HSET', ARGV[4] .. gids[i], 'next_cron_time', ARGV[2], 'update_time', ARGV[2])
  count = count + 1
end
return { count, #gids > limit and 1 or 0 }
