-- Inserts a new global transaction with its branches; when the gid exists, writes nothing, or, for a
-- submit that finds the prepared transaction it submits, moves that one to submitted.
-- KEYS[1]  global hash        KEYS[2]  branch order list   KEYS[3]  branch data hash
-- KEYS[4]  due zset (gid scored by next_cron_time ms)      KEYS[5]  listing zset (gid scored by id)
-- KEYS[6]  id counter         KEYS[7]  event list
-- ARGV[1]  the request as one JSON document (one argument costs the client far less than many):
--          gid; due, the next_cron_time ms; fields, the global hash's fields (strings); branches,
--          [key, branch, key, branch, ...], each branch a table of its fields, stored as its JSON;
--          and, for a submit, move: trans_type (only a prepared transaction of this type moves),
--          same_branches (only when the stored branches are the given ones: the same keys in the same
--          order, each with the same url and data, byte for byte, none with an outcome), update_time
--          ms, event (the status event's fields, stored as its JSON), kept (events kept)
-- returns  'OK' when inserted; when the gid exists, answer_taken's answer (the stored-answer prelude):
--          tagged 'SUBMITTED' or, without the branches, 'SUBMITTED_AS_GIVEN' when this call moved it,
--          'EXISTS' when it wrote nothing; an error reply, with nothing written, when the document does
--          not decode, its fields are not strings or its branches not keys and tables (the rest of it,
--          built by redis-store.ts, is trusted)
-- Redis does not undo the writes of a script that fails half-way, so every check comes before the
-- first write: a refused save leaves no trace a later request could trip on.
local req = request_document()
if not req or type(req.fields) ~= 'table' or type(req.branches) ~= 'table'
    or #req.branches % 2 ~= 0 then
  return redis.error_reply('malformed save request')
end
for _, value in pairs(req.fields) do
  if type(value) ~= 'string' then
    return redis.error_reply('malformed save request: a global field is not a string')
  end
end
for i = 1, #req.branches, 2 do
  if type(req.branches[i]) ~= 'string' or type(req.branches[i + 1]) ~= 'table' then
    return redis.error_reply('malformed save request: a branch entry is not a key and a table')
  end
end
local keys = { global = KEYS[1], order = KEYS[2], data = KEYS[3], events = KEYS[7] }

if redis.call('EXISTS', KEYS[1]) == 1 then
  return answer_taken(keys, req.move, function()
    local given = {}
    for i = 1, #req.branches, 2 do
      local branch = req.branches[i + 1]
      given[#given + 1] = { req.branches[i], branch.url, branch.data }
    end
    return given
  end)
end
local due = finite_number(req.due)
if not due then
  return redis.error_reply('next_cron_time is not a finite number: ' .. tostring(req.due))
end
local id = redis.call('INCR', KEYS[6])
for field, value in pairs(req.fields) do
  redis.call('HSET', KEYS[1], field, value)
end
redis.call('HSET', KEYS[1], 'id', id)
for i = 1, #req.branches, 2 do
  redis.call('RPUSH', KEYS[2], req.branches[i])
  redis.call('HSET', KEYS[3], req.branches[i], cjson.encode(req.branches[i + 1]))
end
redis.call('ZADD', KEYS[4], due, req.gid)
redis.call('ZADD', KEYS[5], id, req.gid)
return 'OK'
