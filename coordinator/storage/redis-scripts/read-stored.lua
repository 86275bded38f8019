-- Reads a transaction and its branches in one call, as save-new answers a gid that exists.
-- KEYS[1]  global hash        KEYS[2]  branch order list   KEYS[3]  branch data hash
-- returns  {'EXISTS', global hash pairs, branch order, branch data hash pairs}, or 'MISSING'
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'MISSING'
end
return { 'EXISTS', redis.call('HGETALL', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1), redis.call('HGETALL', KEYS[3]) }
