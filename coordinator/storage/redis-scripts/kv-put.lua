-- Creates (expected version 0) or compare-and-sets one key-value entry, bumping its version.
-- KEYS[1]  the category's hash (key -> entry JSON)   KEYS[2]  the category's zset of keys by id
-- KEYS[3]  the id sequence
-- ARGV[1]  key   ARGV[2]  value   ARGV[3]  expected version   ARGV[4]  now ms
-- returns  1 when written, 0 when the entry exists (create) or its version moved on (update)
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local expected = tonumber(ARGV[3])
local entry
if expected == 0 then
  if stored then return 0 end
  local id = redis.call('INCR', KEYS[3])
  entry = { id = tostring(id), v = ARGV[2], version = 1, create_time = tonumber(ARGV[4]), update_time = tonumber(ARGV[4]) }
  redis.call('ZADD', KEYS[2], id, ARGV[1])
else
  if not stored then return 0 end
  entry = cjson.decode(stored)
  if entry.version ~= expected then return 0 end
  entry.v = ARGV[2]
  entry.version = entry.version + 1
  entry.update_time = tonumber(ARGV[4])
end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(entry))
return 1
