-- Prelude shared by the scripts that record progress (change-status, save-progress, touch-cron).
-- progress_request(): the script's request document (request_document) with the progress lists each of
-- them reads (outcomes, events) checked; nil when it is malformed.
local function progress_request()
  local req = request_document()
  if not req or type(req.outcomes) ~= 'table' or type(req.events) ~= 'table' then
    return nil
  end
  return req
end
