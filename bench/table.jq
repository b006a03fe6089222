# bench/run.sh's table, from the results document.
def pad(n): tostring | if length >= n then . else . + (" " * (n - length)) end;
def lpad(n): tostring | if length >= n then . else (" " * (n - length)) + . end;
def row(name; rps; p50; p99; errors; cpu; idle; rss): (name | pad(19)) + (rps | lpad(9)) + (p50 | lpad(9))
  + (p99 | lpad(9)) + (errors | lpad(8)) + (cpu | lpad(11)) + (idle | lpad(8)) + "  " + rss;
# One system of the results' systems, {key, value}, as a row.
def system_row: row(.key; .value.rps; .value.p50_ms; .value.p99_ms; .value.errors;
  .value.cpu_us_per_request | add; .value.idle_pct; .value.rss_mb | to_entries | map("\(.key) \(.value)") | join(", "));

"",
row("system"; "req/s"; "p50_ms"; "p99_ms"; "errors"; "cpu_us/req"; "idle_%"; "rss_mb under load, each process"),
(.systems | to_entries[] | system_row),
"",
"berth-cluster / nginx:   \(.ratios.berth_cluster_vs_nginx_rps) x req/s, \(.ratios.berth_cluster_vs_nginx_p99) x p99",
"berth-local / ceiling:   \(.ratios.berth_local_vs_ceiling_rps) x req/s",
"berth-cluster / ceiling: \(.ratios.berth_cluster_vs_ceiling_rps) x req/s",
"berth-cluster / floor:   \(.ratios.berth_cluster_vs_bus_floor_rps) x req/s",
"bus-floor / nginx:       \(.ratios.bus_floor_vs_nginx_rps) x req/s, \(.ratios.bus_floor_vs_nginx_p99) x p99",
"berth-prod / best peer (\(.ratios.best_peer), the round's best of nginx, haproxy, caddy): \(
  .ratios.berth_prod_vs_best_peer_rps) x req/s, \(.ratios.berth_prod_vs_best_peer_p99) x p99, \(
  .ratios.berth_prod_vs_best_peer_cpu) x CPU per request",
"berth-prod / berth-cluster (TLS on / off): \(.ratios.tls_on_vs_off_rps) x req/s, \(.ratios.tls_on_vs_off_cpu) x CPU per request",
"berth-crl / berth-prod (revocation list on / off): \(.ratios.revocation_list_on_vs_off_rps) x req/s, \(
  .ratios.revocation_list_on_vs_off_cpu) x CPU per request",
"berth-https / berth-cluster (HTTPS / HTTP for clients): \(.ratios.https_vs_http_rps) x req/s, \(
  .ratios.https_vs_http_cpu) x CPU per request",
"berth-accesslog / berth-cluster (access log on / off): \(.ratios.access_log_on_vs_off_rps) x req/s, \(
  .ratios.access_log_on_vs_off_cpu) x CPU per request",
"berth-cluster / berth-cluster-nometrics (metrics on / off): \(.ratios.metrics_on_vs_off_rps) x req/s, \(
  .ratios.metrics_on_vs_off_cpu) x CPU per request",
"berth-cluster / berth-cluster-notracing (trace context, exporter none / no tracing): \(.ratios.tracing_on_vs_off_rps) x req/s, \(
  .ratios.tracing_on_vs_off_cpu) x CPU per request",
"bridge-python / berth-cluster: \(.ratios.bridge_python_vs_berth_cluster_rps) x req/s, \(
  .ratios.bridge_python_vs_berth_cluster_cpu) x CPU per request",
"bridge-node / berth-cluster:   \(.ratios.bridge_node_vs_berth_cluster_rps) x req/s, \(
  .ratios.bridge_node_vs_berth_cluster_cpu) x CPU per request",
"bridge-go / berth-cluster:     \(.ratios.bridge_go_vs_berth_cluster_rps) x req/s, \(
  .ratios.bridge_go_vs_berth_cluster_cpu) x CPU per request",
(if .baseline then "berth-cluster / baseline: \(.ratios.berth_cluster_vs_baseline_rps) x req/s, \(
  .ratios.berth_cluster_vs_baseline_cpu) x CPU per request (baseline: \(.baseline))" else empty end),
"",
"second load shape: wrk -t1 -c\(.mixed.connections), a \(.mixed.post_bytes)-byte POST every other request:",
(.mixed.systems | to_entries[] | system_row),
"berth-prod / best peer (\(.mixed.best_peer)), second shape: \(.mixed.berth_prod_vs_best_peer_rps) x req/s, \(
  .mixed.berth_prod_vs_best_peer_p99) x p99, \(.mixed.berth_prod_vs_best_peer_cpu) x CPU per request",
"",
"cpu_us/req: CPU time of all the system's processes per request (wrk's own not included), median of the rounds:",
(.systems | to_entries[] | "  \(.key | pad(19)) " + (.value.cpu_us_per_request | to_entries
  | map("\(.key) \(.value)") | join(", "))),
"idle_%: the share of the machine's CPU time that no process used during the load, median of the rounds: a system that",
"  leaves the machine idle is held back by waiting (wakeups, a busy stage of its chain), not by what it spends",
"CPU stolen by the hypervisor during the load: median \(.steal_pct.median) %, at most \(.steal_pct.max) %"
  + (if .steal_pct.max > 5 then " (requests/s of a run fall with it; the ratios within a round hold better)"
     else "" end),
"",
"start-up, each node alone:",
(.startup[] | "  \(.node | pad(14)) " + ([
  if .ready_ms then "ready in \(.ready_ms) ms" else empty end,
  if .join_ms then "routed by the gateway \(.join_ms) ms after launch" else empty end] | join(", ")))
