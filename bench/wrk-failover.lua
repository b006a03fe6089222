-- wrk script of bench/failover.sh: asks /apple (routed to `first`) and prints the run's numbers as one JSON line:
-- every kind of failure wrk counts, and the longest any request waited.
request = function()
  return wrk.format("GET", "/apple")
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"non_2xx":%d,"socket_errors":%d,"timeouts":%d,"p50_ms":%.3f,"p99_ms":%.3f,'
      .. '"max_ms":%.3f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
