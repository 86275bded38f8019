-- Prelude shared by the scripts that answer a transaction found stored (save-new, read-stored).
-- stored_answer(tag, global hash key, branch order list key, branch data hash key):
-- {tag, global hash pairs, branch order, branch data hash pairs}.
local function stored_answer(tag, global_key, order_key, data_key)
  return { tag, redis.call('HGETALL', global_key), redis.call('LRANGE', order_key, 0, -1), redis.call('HGETALL', data_key) }
end
