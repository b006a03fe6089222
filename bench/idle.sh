#!/usr/bin/env bash
# What a node spends serving nothing, for this build and, with --baseline, another one, alternated run by run so that
# drift hits both alike.
#
#   bench/idle.sh [--runs N] [--seconds S] [--baseline JAR]     3 runs of 30 s per build by default
#   BENCH_JAR (default target/berth.jar), BENCH_JAVA_OPTS and BENCH_PORT_BASE (default 25000) as for bench/run.sh.
#
# Each run: a lone node of conf/local.json (the gateway and both workers in one JVM), left 40 s to finish starting and
# compiling, then measured for S seconds: its CPU time (/proc/<pid>/stat) as a share of one core, and its wakeups, the
# voluntary context switches of all its threads and of its event loops (/proc/<pid>/task/*/status).
# Printed: each run, and the medians per build.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3 seconds=30 baseline=
while (( $# )); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    *) echo "usage: bench/idle.sh [--runs N] [--seconds S] [--baseline JAR]" >&2; exit 2 ;;
  esac
done

script=bench/idle.sh
work=$(mktemp -d /tmp/berth-idle.XXXXXX)
source bench/lib.sh
this=${BENCH_JAR:-target/berth.jar}
require_jars "$this" "$baseline"
keep_logs_on_failure
base=${BENCH_PORT_BASE:-25000}
settle_s=40

switches() { # pid [thread-name-prefix]: voluntary context switches so far, of all its threads or of those named so
  local task total=0
  for task in /proc/"$1"/task/*; do
    [[ -z "${2:-}" || "$(cat "$task/comm" 2>/dev/null)" == "$2"* ]] || continue
    total=$(( total + $(awk '/^voluntary_ctxt_switches/ {print $2}' "$task/status" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

idle_once() { # jar run: prints "<% of a core> <wakeups/s> <event-loop wakeups/s>"
  BENCH_JAR=$1 berth_node local conf/local.json "idle-$2-$$" "$base" $((base + 1)) $((base + 2)) \
    "127.0.0.1:$((base + 2))"
  await_status "http://127.0.0.1:$((base + 1))/health" "" 60
  sleep "$settle_s"
  local pid=${pid_of[local]} cpu all loops
  cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat") all=$(switches "$pid") loops=$(switches "$pid" vert.x-eventloo)
  sleep "$seconds"
  awk -v c0="$cpu" -v c1="$(awk '{print $14 + $15}' "/proc/$pid/stat")" -v hz="$(getconf CLK_TCK)" -v s="$seconds" \
    -v a="$(( $(switches "$pid") - all ))" -v l="$(( $(switches "$pid" vert.x-eventloo) - loops ))" \
    'BEGIN {printf "%.2f %d %d\n", (c1 - c0) * 100 / hz / s, a / s, l / s}'
  stop_all
  pid_of=()
}

idle_in_words() { # cpu wakeups event-loop-wakeups
  echo "$1 % of a core, $2 wakeups/s, $3 of them on event loops"
}

alternate_builds "$runs" "$this" "$baseline" idle_once idle_in_words
for build in "${builds[@]}"; do
  echo "$build: median $(build_median "$build" 1) % of a core, $(build_median "$build" 2) wakeups/s," \
    "$(build_median "$build" 3) on event loops ($runs run(s) of $seconds s)"
done
trap - EXIT
rm -rf "$work"
