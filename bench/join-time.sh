#!/usr/bin/env bash
# How long a worker takes to join a TLS cluster, from its launch to the gateway's first answer from it, for this build
# and, with --baseline, another one, alternated run by run so that drift hits both alike.
#
#   bench/join-time.sh [--runs N] [--baseline JAR]     5 runs per build by default
#   BENCH_JAR (default target/berth.jar), BENCH_JAVA_OPTS and BENCH_PORT_BASE (default 24000) as for bench/run.sh.
#
# Each run: a fresh gateway (conf/gateway.json) with cluster.tls, left to become idle, then worker-first
# (conf/worker-first.json) launched and timed until /apple answers First; the worker's own "ready in" figure beside it.
# Printed: each run, and the median per build.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5 baseline=
while (( $# )); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    *) echo "usage: bench/join-time.sh [--runs N] [--baseline JAR]" >&2; exit 2 ;;
  esac
done

script=bench/join-time.sh
work=$(mktemp -d /tmp/berth-join-time.XXXXXX)
source bench/lib.sh
this=${BENCH_JAR:-target/berth.jar}
require_jars "$this" "$baseline"
keep_logs_on_failure
base=${BENCH_PORT_BASE:-24000}
members="127.0.0.1:$((base + 2)),127.0.0.1:$((base + 4))"
BENCH_JAR=$this make_certs

idle() { # name: waits until the process uses under 5 % of one core, at most 15 s
  local pid=${pid_of[$1]} before
  for _ in $(seq 30); do
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep 0.5
    (( ($(awk '{print $14 + $15}' "/proc/$pid/stat") - before) * 100 < $(getconf CLK_TCK) * 5 / 2 )) && return 0
  done
}

join_once() { # jar run: one gateway, one worker; prints "<ms to first answer> <worker's ready in ms>"
  local started
  BENCH_JAR=$1 tls_node gateway conf/gateway.json "join-$2-$$" "$base" $((base + 1)) $((base + 2)) "$members"
  await_status "http://127.0.0.1:$((base + 1))/health" "" 60
  idle gateway
  started=$(now_ms)
  BENCH_JAR=$1 tls_node worker-first conf/worker-first.json "join-$2-$$" "$base" $((base + 3)) $((base + 4)) "$members"
  await_status "http://127.0.0.1:$base/apple" First 60
  local routed=$(( $(now_ms) - started )) deadline=$((SECONDS + 10))
  until grep -q 'ready in [0-9]*' "$work/worker-first.log"; do
    (( SECONDS < deadline )) || fail "worker-first logged no ready line: $(tail -n 5 "$work/worker-first.log")"
    sleep 0.05
  done
  echo "$routed $(grep -o 'ready in [0-9]*' "$work/worker-first.log" | grep -o '[0-9]*$')"
  stop_all
  pid_of=()
}

join_in_words() { # routed-ms ready-ms
  echo "routed $1 ms after launch, ready in $2 ms"
}

alternate_builds "$runs" "$this" "$baseline" join_once join_in_words
for build in "${builds[@]}"; do
  echo "$build: median routed $(build_median "$build" 1) ms after launch, ready in $(build_median "$build" 2) ms" \
    "($runs run(s))"
done
trap - EXIT
rm -rf "$work"
