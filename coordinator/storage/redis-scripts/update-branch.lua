-- Sets one branch operation's status and times.
-- KEYS[1]  branch data hash
-- ARGV[1]  branch key (branch_id|op)   ARGV[2]  status   ARGV[3]  time ms
-- returns  'OK', or 'NOT_FOUND' when the branch does not exist
local doc = redis.call('HGET', KEYS[1], ARGV[1])
if not doc then
  return 'NOT_FOUND'
end
local branch = cjson.decode(doc)
branch.status = ARGV[2]
branch.finishTime = tonumber(ARGV[3])
branch.updateTime = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(branch))
return 'OK'
