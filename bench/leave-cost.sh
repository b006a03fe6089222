#!/usr/bin/env bash
# What one replica's graceful stop costs the other members of a compose stack, in CPU: the partition hand-over and
# membership change every member goes through, which on a small host is what delays requests meanwhile.
#
#   bench/leave-cost.sh              three runs
#   bench/leave-cost.sh --runs N
#   BERTH_IMAGE picks the image (default berth:latest; `docker compose build` or BerthImage makes one), so another
#   build can be measured against this one.
#
# Each run brings the repository's docker-compose.yml up with worker-first scaled to three replicas (five nodes), lets
# it settle for 40 s, measures the CPU of the four nodes that stay over 11 s while idle, then `docker stop`s the first
# worker-first replica and measures the same four over the 11 s from the stop. CPU comes from Docker's stats API, so it
# reads the same on cgroup v1 and v2. Printed per run: how long the stop took and the CPU of the four above idle.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
while (( $# )); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: bench/leave-cost.sh [--runs N]" >&2; exit 2 ;;
  esac
done

export BERTH_IMAGE=${BERTH_IMAGE:-berth:latest} BERTH_HTTP_PUBLISH=2345 BERTH_MANAGEMENT_PUBLISH=127.0.0.1::9345
docker image inspect "$BERTH_IMAGE" >/dev/null 2>&1 \
  || { echo "bench/leave-cost.sh: no image $BERTH_IMAGE: build it (docker compose build) or set BERTH_IMAGE" >&2; exit 1; }
compose=(docker compose)
docker compose version >/dev/null 2>&1 || compose=(docker-compose)
window_s=11

cpu_ms() { # container ids...: the sum of their CPU time so far, in ms
  local total=0 id
  for id in "$@"; do
    total=$(( total + $(curl -sf --unix-socket /var/run/docker.sock \
      "http://localhost/containers/$id/stats?stream=false&one-shot=true" \
      | python3 -c 'import json, sys; print(json.load(sys.stdin)["cpu_stats"]["cpu_usage"]["total_usage"] // 1000000)') ))
  done
  echo "$total"
}

for run in $(seq 1 "$runs"); do
  project=berthleave$$
  trap '"${compose[@]}" -p "$project" down -v >/dev/null 2>&1' EXIT
  "${compose[@]}" -p "$project" up -d --no-build >/dev/null 2>&1
  "${compose[@]}" -p "$project" up -d --no-build --scale worker-first=3 >/dev/null 2>&1
  sleep 40
  victim=$(docker ps -q --no-trunc --filter "label=com.docker.compose.project=$project" \
    --filter label=com.docker.compose.service=worker-first --filter label=com.docker.compose.container-number=1)
  mapfile -t staying < <("${compose[@]}" -p "$project" ps -q gateway worker-first worker-second | grep -v "^$victim$")
  idle_start=$(cpu_ms "${staying[@]}"); sleep "$window_s"; idle=$(( $(cpu_ms "${staying[@]}") - idle_start ))
  before=$(cpu_ms "${staying[@]}")
  start=$(date +%s%3N); docker stop -t 20 "$victim" >/dev/null; stopped=$(date +%s%3N)
  sleep "$(awk -v window="$window_s" -v took=$(( stopped - start )) 'BEGIN { printf "%.3f", window - took / 1000 }')"
  leaving=$(( $(cpu_ms "${staying[@]}") - before ))
  printf 'run %d: the stop took %d ms; the %d staying nodes spent %d ms of CPU in the %d s from it, %d ms above idle\n' \
    "$run" $(( stopped - start )) "${#staying[@]}" "$leaving" "$window_s" $(( leaving - idle ))
  "${compose[@]}" -p "$project" down -v >/dev/null 2>&1
  trap - EXIT
done
