# bench/run.sh's table, from the results document.
def pad(n): tostring | if length >= n then . else . + (" " * (n - length)) end;
def lpad(n): tostring | if length >= n then . else (" " * (n - length)) + . end;
def row(name; rps; p50; p99; errors; rss): (name | pad(15)) + (rps | lpad(9)) + (p50 | lpad(9)) + (p99 | lpad(9))
  + (errors | lpad(8)) + "  " + rss;

"",
row("system"; "req/s"; "p50_ms"; "p99_ms"; "errors"; "rss_mb under load, each process"),
(.systems | to_entries[] | row(.key; .value.rps; .value.p50_ms; .value.p99_ms; .value.errors;
  .value.rss_mb | to_entries | map("\(.key) \(.value)") | join(", "))),
"",
"berth-cluster / nginx:   \(.ratios.berth_cluster_vs_nginx_rps) x req/s, \(.ratios.berth_cluster_vs_nginx_p99) x p99",
"berth-local / ceiling:   \(.ratios.berth_local_vs_ceiling_rps) x req/s",
"berth-cluster / ceiling: \(.ratios.berth_cluster_vs_ceiling_rps) x req/s",
"",
"start-up, each node alone:",
(.startup[] | "  \(.node | pad(14)) ready in \(.ready_ms) ms"
  + (if .join_ms then ", routed by the gateway \(.join_ms) ms after launch" else "" end))
