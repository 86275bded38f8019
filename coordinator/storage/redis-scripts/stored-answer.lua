-- Prelude shared by the scripts that answer a transaction found stored (save-new, read-stored).
-- stored_answer(global hash key, branch order list key, branch data hash key):
-- {'EXISTS', global hash pairs, branch order, branch data hash pairs}.
local function stored_answer(global_key, order_key, data_key)
  return { 'EXISTS', redis.call('HGETALL', global_key), redis.call('LRANGE', order_key, 0, -1), redis.call('HGETALL', data_key) }
end
