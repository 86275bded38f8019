-- Prelude shared by the scripts that record progress (change-status, save-progress, touch-cron).
-- progress_request(): the script's request, the JSON document in ARGV[1] (one argument costs the client
-- far less than many), with the progress lists each of them reads (outcomes, events) checked; nil when
-- it is malformed.
local function progress_request()
  local decoded, req = pcall(cjson.decode, ARGV[1])
  if not decoded or type(req) ~= 'table' or type(req.outcomes) ~= 'table' or type(req.events) ~= 'table' then
    return nil
  end
  return req
end
