-- Compare-and-set of a global transaction's status, with the progress of the pass that moves it.
-- KEYS[1]  global hash   KEYS[2]  due zset
-- KEYS[3]  branch order list   KEYS[4]  branch data hash   KEYS[5]  event list (they expire with the global hash)
-- ARGV[1]  JSON: from (the expected status), to (the new one), update_time, finish_time, rollback_time
--          (ms as strings, '' when not set), rollback_reason ('' when not set), gid, final (true when the
--          gid leaves the due zset), expire_ms (after which a finished transaction's keys expire), event
--          (the status event's fields, stored as its JSON), kept (events kept), lease (true when the move
--          needs the lease of owner), owner; outcomes (apply_outcomes) and events (append_events):
--          recorded even when the status conflicts; failures (apply_outcomes), recorded only with the
--          move
-- returns  'OK', or 'CONFLICT' when the stored status is not the expected one or the lease moved on; an
--          error reply, with nothing written, when the document does not decode or lacks its lists (the
--          rest of it, built by redis-store.ts, is trusted)
local req = progress_request()
if not req or type(req.failures) ~= 'table' then
  return redis.error_reply('malformed status change')
end
apply_outcomes(KEYS[4], req.outcomes)
append_events(KEYS[5], KEYS[1], req.kept, req.events)
if redis.call('HGET', KEYS[1], 'status') ~= req.from then
  return 'CONFLICT'
end
if req.lease and redis.call('HGET', KEYS[1], 'owner') ~= req.owner then
  return 'CONFLICT'
end
redis.call('HSET', KEYS[1], 'status', req.to, 'update_time', req.update_time)
if req.finish_time ~= '' then redis.call('HSET', KEYS[1], 'finish_time', req.finish_time) end
if req.rollback_time ~= '' then redis.call('HSET', KEYS[1], 'rollback_time', req.rollback_time) end
if req.rollback_reason ~= '' then redis.call('HSET', KEYS[1], 'rollback_reason', req.rollback_reason) end
apply_outcomes(KEYS[4], req.failures)
redis.call('RPUSH', KEYS[5], cjson.encode(req.event))
redis.call('LTRIM', KEYS[5], -req.kept, -1)
if req.final then
  redis.call('ZREM', KEYS[2], req.gid)
  for i = 1, 5 do
    if i ~= 2 then redis.call('PEXPIRE', KEYS[i], req.expire_ms) end
  end
end
return 'OK'
