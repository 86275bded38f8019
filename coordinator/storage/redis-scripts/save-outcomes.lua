-- Records branch outcomes alone (the global hash is not touched).
-- KEYS[1]  branch data hash
-- ARGV     branch outcomes as apply-outcomes.lua reads them, from ARGV[1]
-- returns  'OK'
apply_outcomes(KEYS[1], 1)
return 'OK'
