#!/usr/bin/env bash
# Start-up-to-ready time and resident memory of each node of the three-JVM cluster (conf/gateway.json,
# conf/worker-first.json, conf/worker-second.json), started one after another as an operator would.
# Usage: bench/startup.sh [extra JVM flags...]   Needs target/berth.jar (mvn -B package).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f target/berth.jar ]] || { echo "bench/startup.sh: target/berth.jar is missing: run mvn -B package" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

await_health() { # port timeout_s
  local deadline=$((SECONDS + $2))
  until curl -sf "http://127.0.0.1:$1/health" >/dev/null; do
    (( SECONDS < deadline )) || { echo "node on management port $1 not healthy within $2 s" >&2; return 1; }
    sleep 0.05
  done
}

printf '%-14s %10s %12s %12s\n' node ready_ms rss_idle_mb rss_load_mb
declare -A port=([gateway]=9345 [worker-first]=9346 [worker-second]=9347)
for node in gateway worker-first worker-second; do
  java "$@" -jar target/berth.jar -conf "conf/$node.json" >"$work/$node.log" 2>&1 &
  pids+=($!)
  await_health "${port[$node]}" 60
done
idle=()
for pid in "${pids[@]}"; do idle+=($(( $(ps -o rss= -p "$pid") / 1024 ))); done
for i in $(seq 1 2000); do curl -s -o /dev/null "http://127.0.0.1:2345/$([[ $((i % 2)) == 0 ]] && echo a || echo z)"; done
i=0
for node in gateway worker-first worker-second; do
  ready=$(grep -o 'ready in [0-9]* ms' "$work/$node.log" | grep -o '[0-9]*')
  printf '%-14s %10s %12s %12s\n' "$node" "$ready" "${idle[$i]}" $(( $(ps -o rss= -p "${pids[$i]}") / 1024 ))
  i=$((i + 1))
done
