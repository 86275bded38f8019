-- A page of the transaction listing, newest first, filtered by status, type and creation time.
-- KEYS[1]  listing zset (gid scored by id)
-- ARGV[1]  start: '+inf' or '(<id>'   ARGV[2]  limit   ARGV[3]  status or ''   ARGV[4]  trans_type or ''
-- ARGV[5]  created at or after, ms, or ''   ARGV[6]  created before, ms, or ''
-- ARGV[7]  global hash key prefix   ARGV[8]  how many entries one call may examine
-- returns  {next position ('' when the listing is exhausted), matching gids...}; gids whose transaction
--          expired leave the listing on the way
-- The global hash key is derived from the gid, so this script needs a single Redis node (like DTM's).
local start, limit, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[8])
local found, examined, last = {}, 0, ''
local function matches(f)
  return (ARGV[3] == '' or f[1] == ARGV[3]) and (ARGV[4] == '' or f[2] == ARGV[4])
    and (ARGV[5] == '' or tonumber(f[3]) >= tonumber(ARGV[5]))
    and (ARGV[6] == '' or tonumber(f[3]) < tonumber(ARGV[6]))
end
while #found < limit and examined < budget do
  local batch = redis.call('ZREVRANGEBYSCORE', KEYS[1], start, '-inf', 'WITHSCORES', 'LIMIT', 0, 100)
  for i = 1, #batch, 2 do
    local gid, score = batch[i], batch[i + 1]
    examined = examined + 1
    start, last = '(' .. score, score
    local f = redis.call('HMGET', ARGV[7] .. gid, 'status', 'trans_type', 'create_time')
    if not f[1] then
      redis.call('ZREM', KEYS[1], gid)
    elseif matches(f) then
      found[#found + 1] = gid
      if #found >= limit then break end
    end
  end
  if #batch < 200 and #found < limit then
    last = ''
    break
  end
end
table.insert(found, 1, last)
return found
