-- Records branch outcomes and appends call events (the global hash is not touched).
-- KEYS[1]  branch data hash   KEYS[2]  event list   KEYS[3]  global hash (the events expire with it)
-- ARGV[1]  events kept   ARGV[2] …  branch outcomes as apply-outcomes.lua reads them, then the events
--          as append-events.lua reads them
-- returns  'OK'
apply_outcomes(KEYS[1], 2)
append_events(KEYS[2], KEYS[3], tonumber(ARGV[1]), 3 + 3 * tonumber(ARGV[2]))
return 'OK'
