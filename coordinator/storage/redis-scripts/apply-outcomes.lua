-- Prelude shared by the scripts that record branch outcomes together with a change of the global hash,
-- so one script (one round trip) covers both.
-- apply_outcomes(branch data hash key, first ARGV index): ARGV[first] is the number of outcomes n, then
-- n triples of branch key (branch_id|op), status, time ms. A branch that does not exist is skipped.
local function apply_outcomes(branches_key, first)
  local n = tonumber(ARGV[first])
  for i = 0, n - 1 do
    local at = first + 1 + i * 3
    local doc = redis.call('HGET', branches_key, ARGV[at])
    if doc then
      local branch = cjson.decode(doc)
      branch.status = ARGV[at + 1]
      branch.finishTime = tonumber(ARGV[at + 2])
      branch.updateTime = tonumber(ARGV[at + 2])
      redis.call('HSET', branches_key, ARGV[at], cjson.encode(branch))
    end
  end
end

