-- Inserts a new global transaction with its branches; when the gid exists, writes nothing, or, for a
-- submit that finds the prepared transaction it submits, moves that one to submitted.
-- KEYS[1]  global hash        KEYS[2]  branch order list   KEYS[3]  branch data hash
-- KEYS[4]  due zset (gid scored by next_cron_time ms)      KEYS[5]  listing zset (gid scored by id)
-- KEYS[6]  id counter         KEYS[7]  event list
-- ARGV[1]  gid   ARGV[2]  next_cron_time ms
-- ARGV[3]  the trans_type a submit moves from prepared, or '' for no move
-- ARGV[4]  '1' when the move needs the stored branches to be the given ones (same keys in the same order,
--          each with the same url and data, byte for byte)
-- ARGV[5]  update_time ms of the move   ARGV[6]  the move's status event JSON   ARGV[7]  events kept
-- ARGV[8]  N, the number of global field/value pairs
-- ARGV[9 .. 8+2N]  global field/value pairs; then branch key/json pairs to the end
-- returns  'OK' when inserted; when the gid exists, stored_answer (the stored-answer prelude) tagged
--          'SUBMITTED' when this call moved it, 'EXISTS' when it wrote nothing; an error reply, with
--          nothing written, when an argument is malformed
-- Redis does not undo the writes of a script that fails half-way, so every check comes before the
-- first write: a refused save leaves no trace a later request could trip on.
local n = tonumber(ARGV[8])
if n == nil or 8 + 2 * n > #ARGV or (#ARGV - 8 - 2 * n) % 2 ~= 0 then
  return redis.error_reply('malformed field/value pairs')
end
local first_branch = 9 + 2 * n

-- Whether the stored branches are exactly the given ones.
local function same_branches()
  local order = redis.call('LRANGE', KEYS[2], 0, -1)
  if 2 * #order ~= #ARGV - first_branch + 1 then
    return false
  end
  for i, key in ipairs(order) do
    local at = first_branch + 2 * (i - 1)
    if ARGV[at] ~= key then
      return false
    end
    local stored = cjson.decode(redis.call('HGET', KEYS[3], key) or '{}')
    local given = cjson.decode(ARGV[at + 1])
    if stored.url ~= given.url or stored.data ~= given.data then
      return false
    end
  end
  return true
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  local g = redis.call('HMGET', KEYS[1], 'status', 'trans_type')
  if ARGV[3] == '' or g[1] ~= 'prepared' or g[2] ~= ARGV[3] or (ARGV[4] == '1' and not same_branches()) then
    return stored_answer('EXISTS', KEYS[1], KEYS[2], KEYS[3])
  end
  redis.call('HSET', KEYS[1], 'status', 'submitted', 'update_time', ARGV[5])
  redis.call('RPUSH', KEYS[7], ARGV[6])
  redis.call('LTRIM', KEYS[7], -tonumber(ARGV[7]), -1)
  return stored_answer('SUBMITTED', KEYS[1], KEYS[2], KEYS[3])
end
local due = tonumber(ARGV[2])
if due == nil or due ~= due or due == math.huge or due == -math.huge then
  return redis.error_reply('next_cron_time is not a finite number: ' .. tostring(ARGV[2]))
end
local id = redis.call('INCR', KEYS[6])
for i = 9, 8 + 2 * n, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'id', id)
for i = first_branch, #ARGV, 2 do
  redis.call('RPUSH', KEYS[2], ARGV[i])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
redis.call('ZADD', KEYS[4], due, ARGV[1])
redis.call('ZADD', KEYS[5], id, ARGV[1])
return 'OK'
