-- Records branch outcomes and appends call events (the global hash is not touched).
-- KEYS[1]  branch data hash   KEYS[2]  event list   KEYS[3]  global hash (the events expire with it)
-- ARGV[1]  JSON: kept (events kept), outcomes (as apply_outcomes reads them), events (as append_events
--          reads them)
-- returns  'OK'; an error reply, with nothing written, when the document does not decode or lacks its
--          lists
local req = progress_request()
if not req then
  return redis.error_reply('malformed progress request')
end
apply_outcomes(KEYS[1], req.outcomes)
append_events(KEYS[2], KEYS[3], req.kept, req.events)
return 'OK'
