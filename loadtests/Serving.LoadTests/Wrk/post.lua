-- wrk script for serving-loadtests: posts one fixed body and counts every response that is not 200.
-- wrk ... [-H "Name: value"] -s post.lua URL -- BODY_FILE CONTENT_TYPE [INFERENCE_HEADER_LENGTH]
-- done() prints one line, "WRK_RESULT {json}", that the benchmark parses.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local body = file:read("*a")
  file:close()
  -- Set once here, so wrk builds the request once per thread (a static request, no Lua per request).
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = args[2]
  if args[3] ~= nil and args[3] ~= "" then
    wrk.headers["Inference-Header-Content-Length"] = args[3]
  end
  non200 = 0
  last_status = 0
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    last_status = status
  end
end

-- utime + stime of this wrk process, in clock ticks (USER_HZ, 100 on Linux).
local function cpu_ticks()
  local file = io.open("/proc/self/stat", "r")
  if file == nil then return -1 end
  local stat = file:read("*l")
  file:close()
  local fields = {}
  for field in stat:match("%) (.*)"):gmatch("%S+") do
    table.insert(fields, field)
  end
  -- fields[1] is field 3 (state); utime and stime are fields 14 and 15.
  return tonumber(fields[12]) + tonumber(fields[13])
end

function done(summary, latency, requests)
  local non200_total, status = 0, 0
  for _, thread in ipairs(threads) do
    non200_total = non200_total + thread:get("non200")
    local s = thread:get("last_status")
    if s ~= 0 then status = s end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"non200":%d,"last_bad_status":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"latency_mean_us":%.1f,"latency_p50_us":%d,"latency_p90_us":%d,"latency_p99_us":%d,"latency_max_us":%d,' ..
    '"cpu_ticks":%d}\n',
    summary.requests, summary.duration, summary.bytes, non200_total, status,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    cpu_ticks()))
end
