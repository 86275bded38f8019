-- Prelude shared by the scripts that record branch outcomes together with a change of the global hash,
-- so one script (one round trip) covers both.
-- apply_outcomes(branch data hash key, outcomes): outcomes is a list of [branch key (branch_id|op),
-- status, time ms]. A branch that does not exist is skipped.
local function apply_outcomes(branches_key, outcomes)
  for _, outcome in ipairs(outcomes) do
    local doc = redis.call('HGET', branches_key, outcome[1])
    if doc then
      local branch = cjson.decode(doc)
      branch.status = outcome[2]
      branch.finishTime = tonumber(outcome[3])
      branch.updateTime = tonumber(outcome[3])
      redis.call('HSET', branches_key, outcome[1], cjson.encode(branch))
    end
  end
end
