-- Inserts a new global transaction with its branches, or nothing when the gid exists.
-- KEYS[1]  global hash        KEYS[2]  branch order list   KEYS[3]  branch data hash
-- KEYS[4]  due zset (gid scored by next_cron_time ms)      KEYS[5]  listing zset (gid scored by id)
-- KEYS[6]  id counter
-- ARGV[1]  gid   ARGV[2]  next_cron_time ms   ARGV[3]  N, the number of global field/value pairs
-- ARGV[4 .. 3+2N]  global field/value pairs; then branch key/json pairs to the end
-- returns  'OK'; or, when the gid exists, stored_answer (the stored-answer prelude) with nothing written; an error reply, with nothing written, when an argument is
--          malformed
-- Redis does not undo the writes of a script that fails half-way, so every check comes before the
-- first write: a refused save leaves no trace a later request could trip on.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return stored_answer(KEYS[1], KEYS[2], KEYS[3])
end
local due = tonumber(ARGV[2])
if due == nil or due ~= due or due == math.huge or due == -math.huge then
  return redis.error_reply('next_cron_time is not a finite number: ' .. tostring(ARGV[2]))
end
local n = tonumber(ARGV[3])
if n == nil or 3 + 2 * n > #ARGV or (#ARGV - 3 - 2 * n) % 2 ~= 0 then
  return redis.error_reply('malformed field/value pairs')
end
local id = redis.call('INCR', KEYS[6])
for i = 4, 3 + 2 * n, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'id', id)
for i = 4 + 2 * n, #ARGV, 2 do
  redis.call('RPUSH', KEYS[2], ARGV[i])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
redis.call('ZADD', KEYS[4], due, ARGV[1])
redis.call('ZADD', KEYS[5], id, ARGV[1])
return 'OK'
