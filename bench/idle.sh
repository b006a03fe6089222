#!/usr/bin/env bash
# What a node spends serving nothing, for this build and, with --baseline, another one started beside it, so that both
# are measured over the same seconds of the same machine.
#
#   bench/idle.sh [--runs N] [--seconds S] [--settled T] [--baseline JAR]     3 runs by default
#   BENCH_JAR (default target/berth.jar), BENCH_JAVA_OPTS and BENCH_PORT_BASE (default 25000) as for bench/run.sh.
#
# Each run: a lone node of conf/local.json (the gateway and both workers in one JVM) per build, measured twice: from
# 40 s after it answered /health, for S seconds (default 30), while the JIT still compiles the code of its timers; and
# settled, from T seconds after (default 150), for 2 S. Each time its CPU time (/proc/<pid>/stat) as a share of one
# core; settled also its wakeups, the voluntary context switches of all its threads and of its event loops
# (/proc/<pid>/task/*/status). Printed: each run, and the medians per build.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3 seconds=30 settled=150 baseline=
while (( $# )); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --settled) settled=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    *) echo "usage: bench/idle.sh [--runs N] [--seconds S] [--settled T] [--baseline JAR]" >&2; exit 2 ;;
  esac
done

script=bench/idle.sh
work=$(mktemp -d /tmp/berth-idle.XXXXXX)
source bench/lib.sh
this=${BENCH_JAR:-target/berth.jar}
require_jars "$this" "$baseline"
keep_logs_on_failure
base=${BENCH_PORT_BASE:-25000}
early_s=40
(( settled >= early_s + seconds )) || fail "--settled must be at least $((early_s + seconds)) (40 s + --seconds)"
declare -A jar_of=([this]=$this) port_of=([this]=$base)
builds=(this)
[[ -n "$baseline" ]] && builds+=(baseline) jar_of[baseline]=$baseline port_of[baseline]=$((base + 10))

switches() { # pid [thread-name-prefix]: voluntary context switches so far, of all its threads or of those named so
  local task total=0
  for task in /proc/"$1"/task/*; do
    [[ -z "${2:-}" || "$(cat "$task/comm" 2>/dev/null)" == "$2"* ]] || continue
    total=$(( total + $(awk '/^voluntary_ctxt_switches/ {print $2}' "$task/status" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

sample() { # build: "<CPU ticks> <wakeups> <event-loop wakeups>" of its node so far
  local pid=${pid_of[$1]}
  echo "$(awk '{print $14 + $15}' "/proc/$pid/stat") $(switches "$pid") $(switches "$pid" vert.x-eventloo)"
}

share() { # ticks-before ticks-after seconds: the CPU time between as % of one core
  awk -v a="$1" -v b="$2" -v s="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b - a) * 100 / hz / s}'
}

rate() { # count-before count-after seconds: per second
  echo $(( ($2 - $1) / $3 ))
}

wait_until() { # seconds since $ready
  local left=$(( $1 - (SECONDS - ready) ))
  (( left <= 0 )) || sleep "$left"
}

idle_run() { # run: every build's node side by side; appends "<build> <early %> <settled %> <wakeups/s> <loop/s>"
  local build port
  declare -A early settled_from
  for build in "${builds[@]}"; do
    port=${port_of[$build]}
    BENCH_JAR=${jar_of[$build]} berth_node "$build" conf/local.json "idle-$build-$1-$$" "$port" $((port + 1)) \
      $((port + 2)) "127.0.0.1:$((port + 2))"
  done
  for build in "${builds[@]}"; do
    await_status "http://127.0.0.1:$((port_of[$build] + 1))/health" "" 60
  done
  ready=$SECONDS
  wait_until "$early_s"
  for build in "${builds[@]}"; do early[$build]=$(sample "$build"); done
  wait_until $((early_s + seconds))
  for build in "${builds[@]}"; do
    early[$build]=$(share "${early[$build]%% *}" "$(sample "$build" | cut -d' ' -f1)" "$seconds")
  done
  wait_until "$settled"
  for build in "${builds[@]}"; do settled_from[$build]=$(sample "$build"); done
  wait_until $((settled + 2 * seconds))
  for build in "${builds[@]}"; do
    local -a from now
    read -r -a from <<<"${settled_from[$build]}"
    read -r -a now <<<"$(sample "$build")"
    echo "$build ${early[$build]} $(share "${from[0]}" "${now[0]}" $((2 * seconds)))" \
      "$(rate "${from[1]}" "${now[1]}" $((2 * seconds))) $(rate "${from[2]}" "${now[2]}" $((2 * seconds)))" >>"$work/runs"
  done
  stop_all
  pid_of=()
}

: >"$work/runs"
for run in $(seq 1 "$runs"); do
  idle_run "$run"
  for build in "${builds[@]}"; do
    read -r _ e s w l < <(grep "^$build " "$work/runs" | tail -n 1)
    echo "   run $run $build (${jar_of[$build]}): $e % of a core ${early_s}-$((early_s + seconds)) s after ready," \
      "$s % settled ($settled-$((settled + 2 * seconds)) s), $w wakeups/s, $l of them on event loops"
  done
done
for build in "${builds[@]}"; do
  echo "$build: median $(build_median "$build" 1) % of a core ${early_s}-$((early_s + seconds)) s after ready," \
    "$(build_median "$build" 2) % settled, $(build_median "$build" 3) wakeups/s, $(build_median "$build" 4) on event" \
    "loops ($runs run(s))"
done
trap - EXIT
rm -rf "$work"
