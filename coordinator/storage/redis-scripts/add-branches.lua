-- Appends branches while the global transaction has the given status; existing branches are kept.
-- KEYS[1]  global hash   KEYS[2]  branch order list   KEYS[3]  branch data hash
-- ARGV[1]  required status; then branch key/json pairs
-- returns  'OK', or 'NOT_FOUND' when the transaction is missing or in another status
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then
  return 'NOT_FOUND'
end
for i = 2, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i])
  end
end
return 'OK'
