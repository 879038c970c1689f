-- wrk script: GET one child's record per request, cycling through the ids in
-- the file named by IDS, with the session cookie (COOKIE) or bearer token
-- (TOKEN) in the environment. PATH_TEMPLATE has %d for the child id.
local ids = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("IDS")) do
    ids[#ids + 1] = line
  end
  -- Each wrk thread starts at a different place in the list.
  counter = math.random(#ids)
end

function request()
  counter = counter % #ids + 1
  local headers = {}
  if os.getenv("COOKIE") ~= nil and os.getenv("COOKIE") ~= "" then
    headers["Cookie"] = os.getenv("COOKIE")
  end
  if os.getenv("TOKEN") ~= nil and os.getenv("TOKEN") ~= "" then
    headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
  end
  local path = string.gsub(os.getenv("PATH_TEMPLATE"), "%%d", ids[counter])
  return wrk.format("GET", path, headers)
end

-- Any status but 200 is an error for this benchmark.
local failures = 0
function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("status " .. status .. "\n") end
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d errors_status=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
