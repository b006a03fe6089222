# bench/run.sh's report: reads the runs (one object per wrk run) and writes the results document.
# Per system the median of its rounds; the ratios are taken within each round, then their median.
def median: sort | if length == 0 then null
  elif length % 2 == 1 then .[length / 2 | floor]
  else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def round2: if . == null then null else . * 100 | round / 100 end;
def max_by_key: reduce (.[] | to_entries[]) as $e ({}; .[$e.key] = ([.[$e.key] // 0, $e.value] | max));
def median_by_key: (map(keys[]) | unique) as $keys | . as $all
  | $keys | map(. as $key | {key: $key, value: ($all | map(.[$key]) | median)}) | from_entries;
def ratio(f; a; b): map(select(.[a] and .[b]) | (.[a] | f) / (.[b] | f)) | median | round2;
# The peer with the most requests/s in a round (a round is {system: run}), as {system, run}; null without peers.
def best_peer: [to_entries[] | select(.key == "nginx" or .key == "haproxy" or .key == "caddy")]
  | if length == 0 then null else max_by(.value.rps) | {system: .key, run: .value} end;
def vs_best_peer(f): map(select(.["berth-prod"]) | best_peer as $peer | select($peer)
  | (.["berth-prod"] | f) / ($peer.run | f)) | median | round2;
# Runs grouped by round, each round as {system: run}.
def rounds: group_by(.round) | map(map({key: .system, value: .}) | from_entries);
# Per system, in the given order, the median of its rounds.
def summary($order): . as $runs | $order | map(. as $name | {key: $name, value: ($runs | map(select(.system == $name))
  | {
      rps: (map(.rps) | median | round),
      p50_ms: (map(.p50_ms) | median | round2),
      p99_ms: (map(.p99_ms) | median | round2),
      errors: (map(.errors) | add),
      rss_mb: (map(.rss_mb) | max_by_key),
      cpu_us_per_request: (map(.cpu_us_per_request) | median_by_key),
      steal_pct: (map(.steal_pct) | median),
      idle_pct: (map(.idle_pct) | median)
    })}) | from_entries;
def most_often_best_peer: map(best_peer.system // empty) | group_by(.) | max_by(length) | .[0];

. as $runs
| ($runs | map(.system) | unique) as $measured
| ["ceiling", "berth-local", "berth-cluster", "berth-cluster-nometrics", "berth-cluster-notracing", "berth-https",
   "berth-accesslog", "berth-prod", "berth-crl", "baseline-cluster", "bridge-python", "bridge-node", "bridge-go", "bus-floor", "nginx", "haproxy", "caddy"]
  | map(select(. as $system | $measured | index($system))) as $order
| ($runs | rounds) as $rounds
| ($mixed | rounds) as $mixed_rounds
| {
    time: $stamp,
    mode: $mode,
    machine: {cpus: ($cpus | tonumber), java: $java, nginx: $nginx, haproxy: $haproxy, caddy: $caddy},
    settings: $settings,
    baseline: (if $baseline == "" then null else $baseline end),
    subtitle: "\($cpus) cores, wrk -t1 -c\($settings.connections), median of \($settings.rounds) x \($settings.duration_s) s",
    systems: ($runs | summary($order)),
    steal_pct: {median: ($runs | map(.steal_pct) | median), max: ($runs | map(.steal_pct) | max)},
    ratios: {
      berth_cluster_vs_nginx_rps: ($rounds | ratio(.rps; "berth-cluster"; "nginx")),
      berth_cluster_vs_nginx_p99: ($rounds | ratio(.p99_ms; "berth-cluster"; "nginx")),
      berth_local_vs_ceiling_rps: ($rounds | ratio(.rps; "berth-local"; "ceiling")),
      berth_cluster_vs_ceiling_rps: ($rounds | ratio(.rps; "berth-cluster"; "ceiling")),
      berth_cluster_vs_bus_floor_rps: ($rounds | ratio(.rps; "berth-cluster"; "bus-floor")),
      bus_floor_vs_nginx_rps: ($rounds | ratio(.rps; "bus-floor"; "nginx")),
      bus_floor_vs_nginx_p99: ($rounds | ratio(.p99_ms; "bus-floor"; "nginx")),
      best_peer: ($rounds | most_often_best_peer),
      berth_prod_vs_best_peer_rps: ($rounds | vs_best_peer(.rps)),
      berth_prod_vs_best_peer_p99: ($rounds | vs_best_peer(.p99_ms)),
      berth_prod_vs_best_peer_cpu: ($rounds | vs_best_peer(.cpu_us_per_request | add)),
      tls_on_vs_off_rps: ($rounds | ratio(.rps; "berth-prod"; "berth-cluster")),
      tls_on_vs_off_cpu: ($rounds | ratio(.cpu_us_per_request | add; "berth-prod"; "berth-cluster")),
      revocation_list_on_vs_off_rps: ($rounds | ratio(.rps; "berth-crl"; "berth-prod")),
      revocation_list_on_vs_off_cpu: ($rounds | ratio(.cpu_us_per_request | add; "berth-crl"; "berth-prod")),
      https_vs_http_rps: ($rounds | ratio(.rps; "berth-https"; "berth-cluster")),
      https_vs_http_cpu: ($rounds | ratio(.cpu_us_per_request | add; "berth-https"; "berth-cluster")),
      access_log_on_vs_off_rps: ($rounds | ratio(.rps; "berth-accesslog"; "berth-cluster")),
      access_log_on_vs_off_cpu: ($rounds | ratio(.cpu_us_per_request | add; "berth-accesslog"; "berth-cluster")),
      metrics_on_vs_off_rps: ($rounds | ratio(.rps; "berth-cluster"; "berth-cluster-nometrics")),
      metrics_on_vs_off_cpu: ($rounds | ratio(.cpu_us_per_request | add; "berth-cluster"; "berth-cluster-nometrics")),
      tracing_on_vs_off_rps: ($rounds | ratio(.rps; "berth-cluster"; "berth-cluster-notracing")),
      tracing_on_vs_off_cpu: ($rounds | ratio(.cpu_us_per_request | add; "berth-cluster"; "berth-cluster-notracing")),
      bridge_python_vs_berth_cluster_rps: ($rounds | ratio(.rps; "bridge-python"; "berth-cluster")),
      bridge_python_vs_berth_cluster_cpu: ($rounds | ratio(.cpu_us_per_request | add; "bridge-python"; "berth-cluster")),
      bridge_node_vs_berth_cluster_rps: ($rounds | ratio(.rps; "bridge-node"; "berth-cluster")),
      bridge_node_vs_berth_cluster_cpu: ($rounds | ratio(.cpu_us_per_request | add; "bridge-node"; "berth-cluster")),
      bridge_go_vs_berth_cluster_rps: ($rounds | ratio(.rps; "bridge-go"; "berth-cluster")),
      bridge_go_vs_berth_cluster_cpu: ($rounds | ratio(.cpu_us_per_request | add; "bridge-go"; "berth-cluster")),
      berth_cluster_vs_baseline_rps: ($rounds | ratio(.rps; "berth-cluster"; "baseline-cluster")),
      berth_cluster_vs_baseline_cpu: ($rounds | ratio(.cpu_us_per_request | add; "berth-cluster"; "baseline-cluster"))
    },
    mixed: {
      connections: $mixed_connections,
      post_bytes: 1024,
      systems: ($mixed | summary(["berth-prod", "nginx", "haproxy", "caddy"])),
      best_peer: ($mixed_rounds | most_often_best_peer),
      berth_prod_vs_best_peer_rps: ($mixed_rounds | vs_best_peer(.rps)),
      berth_prod_vs_best_peer_p99: ($mixed_rounds | vs_best_peer(.p99_ms)),
      berth_prod_vs_best_peer_cpu: ($mixed_rounds | vs_best_peer(.cpu_us_per_request | add))
    },
    startup: $startup,
    runs: $runs
  }
