#!/usr/bin/env bash
# What strangers knocking at a TLS cluster's Hazelcast ports cost its clients: p99 and requests/s of the same cluster,
# quiet and under a loop of strangers (bench/Strangers.java: a stock Hazelcast member retrying its join, a Hazelcast
# client retrying its connection, four threads of raw connections sending Hazelcast's protocol, random bytes, an HTTP
# request, a TLS ClientHello or nothing), in interleaved rounds. The strangers share the machine with the cluster, as
# they would not in a real attack from another host: a third condition, "decoy", sends the same strangers at another
# TLS cluster of three nodes on the same machine, which tells their share of the machine from the cluster's own
# handling of them.
#
#   bench/strangers.sh           20 s warm-up, then 3 rounds of 15 s each: quiet, strangers, decoy
#   bench/strangers.sh --quick   2 s warm-up and one round of 3 s each
#   Options: --rounds N  --duration SECONDS  --warmup SECONDS  --connections N  --out DIR (default bench/results)
#   BENCH_JAR, BENCH_JAVA_OPTS and BENCH_PORT_BASE (default 22000) as for bench/run.sh.
#
# The cluster: conf/gateway.json, conf/worker-first.json and conf/worker-second.json, three JVMs with cluster.tls.
# Load: wrk -t1 -cN asking /apple and /zebra in turn (bench/wrk-report.lua). Printed per round and as medians, per
# condition: requests/s, p99, errors, the CPU the cluster's nodes spent per request, how many Hazelcast connections
# they refused per second (berth_cluster_refused_total) and the share of a core the strangers' process took; then the
# ratios to the quiet runs. Output: a table on stdout and <out>/strangers-<time>.json, copied to
# <out>/strangers-latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3 duration=15 warmup=20 connections=50 out=bench/results
while (( $# )); do
  case "$1" in
    --quick) rounds=1 duration=3 warmup=2; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: bench/strangers.sh [--quick] [--rounds N] [--duration S] [--warmup S] [--connections N]" \
         "[--out DIR]" >&2
       exit 2 ;;
  esac
done

script=bench/strangers.sh
work=$(mktemp -d /tmp/berth-strangers.XXXXXX)
source bench/lib.sh
require_jars "${BENCH_JAR:-target/berth.jar}"
for tool in wrk jq curl; do command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install wrk jq curl"; done
trap 'kill -CONT "${pid_of[strangers]:-0}" "${pid_of[decoy-strangers]:-0}" 2>/dev/null; stop_all; echo "bench/strangers.sh: failed; the logs of this run are in $work" >&2' EXIT
base=${BENCH_PORT_BASE:-22000}
url="http://127.0.0.1:$base"
cluster="bench-strangers-$$"
members="127.0.0.1:$((base + 2)),127.0.0.1:$((base + 4)),127.0.0.1:$((base + 6))"
partitions=$(grep -o 'partition.count">[0-9]*' src/main/resources/cluster.xml | grep -o '[0-9]*$')

echo "== a TLS cluster of three JVMs (logs in $work)"
make_certs
tls_node gateway conf/gateway.json "$cluster" "$base" $((base + 1)) $((base + 2)) "$members"
await_status "http://127.0.0.1:$((base + 1))/health" "" 60
tls_node worker-first conf/worker-first.json "$cluster" "$base" $((base + 3)) $((base + 4)) "$members"
tls_node worker-second conf/worker-second.json "$cluster" "$base" $((base + 5)) $((base + 6)) "$members"
await_status "$url/apple" First 60
await_status "$url/zebra" Second 60
decoy="127.0.0.1:$((base + 11)),127.0.0.1:$((base + 13)),127.0.0.1:$((base + 15))"
for port in 10 12 14; do
  tls_node "decoy-$port" conf/worker-first.json "$cluster-decoy" $((base + 9)) $((base + port)) $((base + port + 1)) \
    "$decoy"
done
for port in 10 12 14; do await_status "http://127.0.0.1:$((base + port))/health" "" 60; done

refused() { # the Hazelcast connections the three nodes refused so far
  for management in 1 3 5; do
    curl -sf --max-time 2 "http://127.0.0.1:$((base + management))/metrics" \
      | awk '/^berth_cluster_refused_total\{.*refused="connection"/ {print $2}'
  done | awk '{sum += $1} END {print sum + 0}'
}

nodes=(gateway worker-first worker-second)
clock_hz=$(getconf CLK_TCK)
ticks() { # pids...: their CPU time so far in clock ticks
  local pid total=0
  for pid in "$@"; do total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) )); done
  echo "$total"
}

load() { # condition seconds: one wrk run, printed as one JSON line with the connections refused meanwhile, the CPU
  # the three nodes spent per request, and the share of a core the strangers' own process took
  local before result node_pids=() nodes_before strangers_before
  local stranger_pids=("${pid_of[strangers]}" "${pid_of[decoy-strangers]}")
  for node in "${nodes[@]}"; do node_pids+=("${pid_of[$node]}"); done
  before=$(refused)
  nodes_before=$(ticks "${node_pids[@]}")
  strangers_before=$(ticks "${stranger_pids[@]}")
  wrk -t1 -c"$connections" -d"${2}s" --latency -s bench/wrk-report.lua "$url" >"$work/wrk.out" 2>&1 \
    || fail "wrk failed: $(cat "$work/wrk.out")"
  result=$(grep '^{' "$work/wrk.out") || fail "wrk printed no result: $(cat "$work/wrk.out")"
  jq -c --arg condition "$1" --argjson refused "$(( $(refused) - before ))" \
    --argjson node_ticks "$(( $(ticks "${node_pids[@]}") - nodes_before ))" \
    --argjson stranger_ticks "$(( $(ticks "${stranger_pids[@]}") - strangers_before ))" --argjson hz "$clock_hz" \
    '. + {condition: $condition, refused_per_s: ($refused / .seconds | round),
          nodes_cpu_us_per_request: ($node_ticks * 1e6 / $hz / .requests | round),
          strangers_cpu_pct: ($stranger_ticks * 100 / $hz / .seconds | round)}' <<<"$result"
}

# Two processes of strangers, at the cluster and at the decoy, run from the warm-up on, so that their own JIT is done
# before the rounds; SIGSTOP silences one for the runs of other conditions (connections it left half-open time out at
# the members meanwhile), SIGCONT lets it knock again.
strangers_at() { # name cluster members: a process of strangers at those members, once it knocks
  launch "$1" java "${java_opts[@]}" -cp "${BENCH_JAR:-target/berth.jar}" bench/Strangers.java "$2" "$partitions" "$3"
  local deadline=$((SECONDS + 60))
  until grep -qs '^strangers knocking' "$work/$1.log"; do
    (( SECONDS < deadline )) || fail "the strangers did not start: $(tail -n 20 "$work/$1.log")"
    sleep 0.1
  done
}
strangers_at strangers "$cluster" "$members"
strangers_at decoy-strangers "$cluster-decoy" "$decoy"
knock_only() { # condition: lets the strangers of that condition knock and silences the others; "all" lets all knock
  kill -"$([[ $1 == strangers || $1 == all ]] && echo CONT || echo STOP)" "${pid_of[strangers]}"
  kill -"$([[ $1 == decoy || $1 == all ]] && echo CONT || echo STOP)" "${pid_of[decoy-strangers]}"
}

echo "== warm-up: ${warmup} s per condition"
for condition in strangers decoy quiet; do
  knock_only "$condition"
  load "$condition" "$warmup" >/dev/null
done

echo "== $rounds round(s) of ${duration} s per condition (quiet, strangers at the cluster, at a decoy),"\
  "wrk -t1 -c$connections"
: >"$work/runs.jsonl"
conditions=(quiet strangers decoy)
for round in $(seq 1 "$rounds"); do
  for i in "${!conditions[@]}"; do
    condition=${conditions[$(( (i + round - 1) % ${#conditions[@]} ))]}
    knock_only "$condition"
    load "$condition" "$duration" | jq -c --argjson round "$round" '. + {round: $round}' | tee -a "$work/runs.jsonl" \
      | jq -r '"   round \(.round) \(.condition): \(.rps | floor) req/s, p99 \(.p99_ms) ms, \(.errors) errors,"
          + " nodes \(.nodes_cpu_us_per_request) CPU-us/request, \(.refused_per_s) connections refused/s,"
          + " strangers \(.strangers_cpu_pct) % of a core"'
  done
done

mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
jq -s --arg stamp "$stamp" --argjson rounds "$rounds" --argjson duration "$duration" '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def of($condition): map(select(.condition == $condition));
  {stamp: $stamp, rounds: $rounds, duration_s: $duration, runs: .,
   quiet: {rps: (of("quiet") | map(.rps) | median), p99_ms: (of("quiet") | map(.p99_ms) | median),
           errors: (of("quiet") | map(.errors) | add),
           nodes_cpu_us_per_request: (of("quiet") | map(.nodes_cpu_us_per_request) | median)},
   strangers: {rps: (of("strangers") | map(.rps) | median), p99_ms: (of("strangers") | map(.p99_ms) | median),
               errors: (of("strangers") | map(.errors) | add),
               nodes_cpu_us_per_request: (of("strangers") | map(.nodes_cpu_us_per_request) | median),
               refused_per_s: (of("strangers") | map(.refused_per_s) | median),
               strangers_cpu_pct: (of("strangers") | map(.strangers_cpu_pct) | median)},
   decoy: {rps: (of("decoy") | map(.rps) | median), p99_ms: (of("decoy") | map(.p99_ms) | median),
           errors: (of("decoy") | map(.errors) | add),
           nodes_cpu_us_per_request: (of("decoy") | map(.nodes_cpu_us_per_request) | median),
           strangers_cpu_pct: (of("decoy") | map(.strangers_cpu_pct) | median)}}
  | def ratio($a; $b): ($a / $b * 100 | round) / 100;
    .ratios = {strangers: {p99: ratio(.strangers.p99_ms; .quiet.p99_ms), rps: ratio(.strangers.rps; .quiet.rps),
                           cpu: ratio(.strangers.nodes_cpu_us_per_request; .quiet.nodes_cpu_us_per_request)},
               decoy: {p99: ratio(.decoy.p99_ms; .quiet.p99_ms), rps: ratio(.decoy.rps; .quiet.rps),
                       cpu: ratio(.decoy.nodes_cpu_us_per_request; .quiet.nodes_cpu_us_per_request)},
               strangers_to_decoy: {p99: ratio(.strangers.p99_ms; .decoy.p99_ms)}}
  ' "$work/runs.jsonl" >"$out/strangers-$stamp.json"
cp "$out/strangers-$stamp.json" "$out/strangers-latest.json"
jq -r '
  def line($name; $r): "\($name): \($r.rps | floor) req/s, p99 \($r.p99_ms * 100 | round / 100) ms, \($r.errors) errors, nodes"
    + " \($r.nodes_cpu_us_per_request) CPU-us/request";
  line("quiet          "; .quiet),
  line("strangers      "; .strangers) + ", \(.strangers.refused_per_s) Hazelcast connections refused/s, the strangers\u0027"
    + " process \(.strangers.strangers_cpu_pct) % of a core",
  line("decoy          "; .decoy) + ", the strangers\u0027 process \(.decoy.strangers_cpu_pct) % of a core",
  "strangers / quiet: \(.ratios.strangers.p99) x p99, \(.ratios.strangers.rps) x req/s, \(.ratios.strangers.cpu) x the"
    + " nodes\u0027 CPU per request",
  "decoy / quiet:     \(.ratios.decoy.p99) x p99, \(.ratios.decoy.rps) x req/s, \(.ratios.decoy.cpu) x the nodes\u0027 CPU"
    + " per request (the machine shared with the strangers, the cluster untouched)",
  "strangers / decoy: \(.ratios.strangers_to_decoy.p99) x p99 (what the cluster\u0027s own handling of the strangers costs;"
    + " medians of \(.rounds) round(s))"' "$out/strangers-$stamp.json"
echo "results: $out/strangers-$stamp.json"
trap - EXIT
knock_only all
stop_all
rm -rf "$work"
