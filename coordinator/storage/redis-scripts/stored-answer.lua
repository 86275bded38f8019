-- Prelude shared by the scripts that answer a transaction found stored (save-new, read-stored).
-- stored_answer(tag, global hash key, branch order list key, branch data hash key): one JSON document,
-- [tag, global hash pairs, branch order, branch data hash pairs], so the client parses one string
-- instead of a reply of many. An empty list encodes as {}.
local function stored_answer(tag, global_key, order_key, data_key)
  return cjson.encode({
    tag,
    redis.call('HGETALL', global_key),
    redis.call('LRANGE', order_key, 0, -1),
    redis.call('HGETALL', data_key),
  })
end
