-- Reads a transaction and its branches in one call, as save-new answers a gid that exists.
-- KEYS[1]  global hash        KEYS[2]  branch order list   KEYS[3]  branch data hash
-- returns  stored_answer (the stored-answer prelude), or 'MISSING'
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'MISSING'
end
return stored_answer('EXISTS', KEYS[1], KEYS[2], KEYS[3])
