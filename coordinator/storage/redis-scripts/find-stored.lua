-- Reads a stored transaction as save-new answers a gid that exists, inserting nothing; for a submit,
-- makes save-new's move first. For a gid that is probably stored: the document is far smaller than
-- save-new's.
-- KEYS[1]  global hash        KEYS[2]  branch order list   KEYS[3]  branch data hash
-- KEYS[4]  event list
-- ARGV[1]  JSON document: move (optional, as in save-new) and, with move.same_branches, branches:
--          the submit's branches as [[key, url, data], ...]; built by redis-store.ts, so trusted
-- returns  'MISSING' when the gid is not stored, else answer_taken's answer (the stored-answer prelude);
--          an error reply, with nothing written, when the document does not decode
local req = request_document()
if not req then
  return redis.error_reply('malformed find request')
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'MISSING'
end
local keys = { global = KEYS[1], order = KEYS[2], data = KEYS[3], events = KEYS[4] }
return answer_taken(keys, req.move, function()
  return req.branches or {}
end)
