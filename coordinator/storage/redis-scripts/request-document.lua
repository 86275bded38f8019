-- Prelude shared by the scripts whose request is one JSON document in ARGV[1] (one argument costs the
-- client far less than many).
-- request_document(): that document decoded, or nil when it does not decode to a table.
local function request_document()
  local decoded, req = pcall(cjson.decode, ARGV[1])
  if not decoded or type(req) ~= 'table' then
    return nil
  end
  return req
end

-- finite_number(value): value as a number when it is a finite one, else nil. A next_cron_time must be
-- one to be a score the due zset can order by.
local function finite_number(value)
  local number = tonumber(value)
  if number == nil or number ~= number or number == math.huge or number == -math.huge then
    return nil
  end
  return number
end
