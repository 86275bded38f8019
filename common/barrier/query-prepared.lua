-- Answers the coordinator's query-back of a 2-phase message whose local step ran in Redis.
-- KEYS[1]  the msg local step's barrier key: <gid>-00-msg-01
-- ARGV[1]  barrier key expiry, seconds
-- returns  'FAILURE' when the step never ran: a 'rollback' marker is planted so it never can
--          'SUCCESS' when the step ran
if redis.call('SET', KEYS[1], 'rollback', 'NX', 'EX', ARGV[1]) then
  return 'FAILURE'
end
if redis.call('GET', KEYS[1]) == 'rollback' then
  return 'FAILURE'
end
return 'SUCCESS'
