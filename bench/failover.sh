#!/usr/bin/env bash
# What clients see when one of two replicas of `first` stops, crashes or freezes under load.
#
#   bench/failover.sh           20 s of load per fault, the signal 5 s in
#   bench/failover.sh --quick   8 s of load per fault, the signal 3 s in (about a minute): what CI runs
#   Options: --duration SECONDS  --at SECONDS  --connections N  --out DIR (default bench/results)
#   BENCH_JAR runs another build of berth (default target/berth.jar); BENCH_JAVA_OPTS and BENCH_PORT_BASE (default
#   21000) as for bench/run.sh.
#
# For each fault, a fresh cluster of four JVMs with the shipped configs: a gateway, two worker-first replicas and a
# worker-second. wrk -t1 -c20 --timeout 10s asks /apple for the whole run; at the signal, one worker-first replica
# gets SIGTERM (a graceful stop), SIGKILL (a crash) or SIGSTOP (a frozen process, like a stalled host; it is killed
# after the run). Printed per fault: requests, failed requests (non-2xx answers and socket errors), p99, the longest
# any client waited, and how long after the signal the replica was out of rotation (the gateway's GET /cluster passes
# it over, or no longer lists it among the consumers of `first`) and out of the cluster (no longer a member), and the
# gateway's retries by reason (berth_gateway_retries_total).
# Output: a table on stdout and <out>/failover-<time>.json, copied to <out>/failover-latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=20 at=5 connections=20 out=bench/results mode=full
while (( $# )); do
  case "$1" in
    --quick) mode=quick duration=8 at=3; shift ;;
    --duration) duration=$2; shift 2 ;;
    --at) at=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: bench/failover.sh [--quick] [--duration S] [--at S] [--connections N] [--out DIR]" >&2; exit 2 ;;
  esac
done

script=bench/failover.sh
work=$(mktemp -d /tmp/berth-failover.XXXXXX)
source bench/lib.sh
require_jars "${BENCH_JAR:-target/berth.jar}"
for tool in wrk jq curl; do command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install wrk jq curl"; done
keep_logs_on_failure
base=${BENCH_PORT_BASE:-21000}
gateway_url="http://127.0.0.1:$base"

served_by_both() { # true once /apple has been answered by both replicas within 20 requests
  local seen
  seen=$(for _ in $(seq 20); do curl -s -D - -o /dev/null --max-time 2 "$gateway_url/apple" | tr -d '\r' \
    | sed -n 's/^X-Served-By: //ip'; done | sort -u | tr '\n' ' ')
  [[ "$seen" == "first-a first-b " ]]
}

# A build whose GET /cluster lists no consumers never says a node is out of rotation: jq's error on it is dropped.
view_says() { # jq-condition node: whether the gateway's GET /cluster answers, and the condition holds for the node
  local view
  view=$(curl -sf --max-time 2 "http://127.0.0.1:$((base + 1))/cluster") || return 1
  jq -e --arg node "$2" "$1" >/dev/null 2>&1 <<<"$view"
}

run_fault() { # signal: one cluster, one load, one signal; prints the result as one JSON line
  local signal=$1 cluster="failover-$1-$$" members
  members="127.0.0.1:$((base + 2)),127.0.0.1:$((base + 4))"
  berth_node gateway conf/gateway.json "$cluster" "$base" $((base + 1)) $((base + 2)) "$members"
  await_status "http://127.0.0.1:$((base + 1))/health" "" 60
  berth_node first-a conf/worker-first.json "$cluster" "$base" $((base + 3)) $((base + 4)) "$members"
  berth_node first-b conf/worker-first.json "$cluster" "$base" $((base + 5)) $((base + 6)) "$members"
  berth_node second conf/worker-second.json "$cluster" "$base" $((base + 7)) $((base + 8)) "$members"
  await_status "$gateway_url/zebra" Second 60
  local deadline=$((SECONDS + 60))
  until served_by_both; do (( SECONDS < deadline )) || fail "/apple not served by both replicas within 60 s"; done

  wrk -t1 -c"$connections" -d"${duration}s" --timeout 10s --latency -s bench/wrk-failover.lua "$gateway_url" \
    >"$work/wrk-$signal.out" 2>&1 &
  local wrk_pid=$!
  sleep "$at"
  local signalled rotation_ms=null cluster_ms=null
  signalled=$(now_ms)
  kill "-$signal" "${pid_of[first-b]}"
  while (( $(now_ms) - signalled < (duration - at) * 1000 )) && [[ $cluster_ms == null ]]; do
    if [[ $rotation_ms == null ]] && view_says 'any(.passedOver[]; . == $node) or all(.consumers.first[]; . != $node)' \
      first-b; then
      rotation_ms=$(( $(now_ms) - signalled ))
    fi
    if view_says 'all(.members[]; .name != $node)' first-b; then cluster_ms=$(( $(now_ms) - signalled )); fi
    sleep 0.05
  done
  [[ $rotation_ms != null ]] || rotation_ms=$cluster_ms  # a node out of the cluster is out of rotation too
  wait "$wrk_pid" || fail "wrk failed during the $signal run: $(cat "$work/wrk-$signal.out")"
  local retries
  retries=$(gateway_retries)
  [[ $signal == STOP ]] && kill -CONT "${pid_of[first-b]}" 2>/dev/null || true
  stop_all
  pid_of=()
  grep '^{' "$work/wrk-$signal.out" | jq -c --arg fault "$signal" --argjson rotation "$rotation_ms" \
    --argjson cluster "$cluster_ms" --argjson retries "$retries" '{fault: $fault, requests,
      failed: (.non_2xx + .socket_errors + .timeouts), non_2xx, socket_errors, timeouts, p50_ms, p99_ms, max_ms,
      out_of_rotation_ms: $rotation, out_of_cluster_ms: $cluster, retries: $retries}'
}

gateway_retries() { # the gateway's retries of /apple so far, by reason, from its metrics: {"overdue": 3, ...}
  curl -sf --max-time 2 "http://127.0.0.1:$((base + 1))/metrics" \
    | sed -n 's/^berth_gateway_retries_total{.*address="first".*reason="\([a-z-]*\)".*} \([0-9.]*\)$/\1 \2/p' \
    | jq -R -s 'split("\n") | map(select(length > 0) | split(" ") | {(.[0]): (.[1] | tonumber | floor)}) | add // {}'
}

echo "== $mode: wrk -t1 -c$connections for $duration s per fault, one of two worker-first replicas signalled $at s in"
: >"$work/faults.jsonl"
for signal in TERM KILL STOP; do
  run_fault "$signal" | tee -a "$work/faults.jsonl" | jq -r \
    '"   SIG\(.fault): \(.requests) requests, \(.failed) failed, p99 \(.p99_ms) ms, longest wait \(.max_ms) ms, out of rotation after \(.out_of_rotation_ms // "-") ms, of the cluster after \(.out_of_cluster_ms // "-") ms, retries \(.retries | tostring)"'
done

mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
jq -s --arg mode "$mode" --arg jar "${BENCH_JAR:-target/berth.jar}" \
  --argjson settings "{\"duration_s\":$duration,\"signal_at_s\":$at,\"connections\":$connections}" \
  '{mode: $mode, jar: $jar, settings: $settings, faults: .}' "$work/faults.jsonl" >"$out/failover-$stamp.json"
cp "$out/failover-$stamp.json" "$out/failover-latest.json"
printf '%-7s %9s %7s %9s %9s %16s %16s\n' fault requests failed p99_ms max_ms out_of_rotation out_of_cluster
jq -r '.faults[] | [("SIG" + .fault), .requests, .failed, .p99_ms, .max_ms, (.out_of_rotation_ms // "-"),
  (.out_of_cluster_ms // "-")] | @tsv' "$out/failover-$stamp.json" \
  | awk -F'\t' '{printf "%-7s %9s %7s %9s %9s %13s ms %13s ms\n", $1, $2, $3, $4, $5, $6, $7}'
echo "results: $out/failover-$stamp.json"
trap - EXIT
rm -rf "$work"
