-- Prelude shared by the scripts that answer a transaction found stored (save-new, find-stored).
-- stored_answer(tag, keys): one JSON document, [tag, global hash pairs, branch order, branch data hash
-- pairs], so the client parses one string instead of a reply of many. An empty list encodes as {}.
-- keys: global (hash), order (branch order list), data (branch data hash), events (event list).
local function stored_answer(tag, keys)
  return cjson.encode({
    tag,
    redis.call('HGETALL', keys.global),
    redis.call('LRANGE', keys.order, 0, -1),
    redis.call('HGETALL', keys.data),
  })
end

-- Whether the stored branches are exactly `given` ({key, url, data} each, in order), byte for byte, and
-- none of them has an outcome yet.
local function holds_branches(keys, given)
  local order = redis.call('LRANGE', keys.order, 0, -1)
  if #order ~= #given then
    return false
  end
  for i, key in ipairs(order) do
    local expected = given[i]
    local stored = cjson.decode(redis.call('HGET', keys.data, key) or '{}')
    if expected[1] ~= key or stored.url ~= expected[2] or stored.data ~= expected[3]
        or stored.status ~= 'prepared' then
      return false
    end
  end
  return true
end

-- answer_taken(keys, move, given): the answer for a gid that is stored. move (nil for none): trans_type,
-- same_branches, update_time, event, kept. A prepared transaction of move.trans_type (holding exactly
-- the branches given() lists, when same_branches) moves to submitted, with its status event, and is
-- answered tagged 'SUBMITTED'; with same_branches tagged 'SUBMITTED_AS_GIVEN' and without its branches,
-- which are the given ones. Anything else is answered untouched, tagged 'EXISTS'. Every check comes
-- before the first write, as Redis does not undo the writes of a script that fails half-way; given is
-- a function so that a caller's branches are decoded only when a move is possible.
local function answer_taken(keys, move, given)
  local g = redis.call('HMGET', keys.global, 'status', 'trans_type')
  if type(move) ~= 'table' or g[1] ~= 'prepared' or g[2] ~= move.trans_type
      or (move.same_branches and not holds_branches(keys, given())) then
    return stored_answer('EXISTS', keys)
  end
  redis.call('HSET', keys.global, 'status', 'submitted', 'update_time', move.update_time)
  redis.call('RPUSH', keys.events, cjson.encode(move.event))
  redis.call('LTRIM', keys.events, -move.kept, -1)
  if move.same_branches then
    return cjson.encode({ 'SUBMITTED_AS_GIVEN', redis.call('HGETALL', keys.global) })
  end
  return stored_answer('SUBMITTED', keys)
end
