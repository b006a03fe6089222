-- wrk script of bench/run.sh: alternates a path routed to `first` and one routed to `second`, and prints the run's
-- numbers as one JSON line that the harness reads. With the argument `mixed` (wrk ... -- mixed), every other request
-- is a POST to the second path with a 1 KB body: the benchmark's second load shape.
local paths = { "/apple", "/zebra" }
local next_path = 0
local mixed = false
local body = string.rep("x", 1024)

init = function(args)
  mixed = args[1] == "mixed"
end

request = function()
  next_path = next_path % #paths + 1
  if mixed and next_path == 2 then
    return wrk.format("POST", paths[next_path], { ["Content-Type"] = "text/plain" }, body)
  end
  return wrk.format("GET", paths[next_path])
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
    + summary.errors.timeout
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
