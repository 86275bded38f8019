-- Appends branches while the global transaction has the given status. A branch whose key exists with
-- the same url and data is a repeated registration and changes nothing; with another url or data it is
-- a conflict, and nothing is written.
-- KEYS[1]  global hash   KEYS[2]  branch order list   KEYS[3]  branch data hash
-- ARGV[1]  required status; then branch key/json pairs
-- returns  'OK'; 'NOT_FOUND' when the transaction is missing or in another status; 'CONFLICT:<key>'
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then
  return 'NOT_FOUND'
end
for i = 2, #ARGV, 2 do
  local stored = redis.call('HGET', KEYS[3], ARGV[i])
  if stored then
    local old, new = cjson.decode(stored), cjson.decode(ARGV[i + 1])
    if old.url ~= new.url or old.data ~= new.data then
      return 'CONFLICT:' .. ARGV[i]
    end
  end
end
for i = 2, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i])
  end
end
return 'OK'
