#!/usr/bin/env bash
# What a new image costs the compose stack of one host today, for comparison with the Swarm stack's rolling update
# (docs/swarm.md): the stack up, one client asking /apple (worker-first's) without pause, and `docker compose up -d`
# with worker-first's image changed, which recreates its container, the old one stopped first. Printed: wrk's summary
# of the whole run (requests, non-2xx answers, socket errors, longest wait) and how long /apple was not 200.
#
#   bench/compose-update.sh [image]      default berth:latest; its copy <image>-next is the "new" image
#   Needs docker compose (v2), wrk and curl; uses the compose project berth-bench-update and host port 22345.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-berth:latest}
project=(docker compose -p berth-bench-update)
export BERTH_IMAGE=$image BERTH_HTTP_PUBLISH=22345:2345 BERTH_MANAGEMENT_PUBLISH=127.0.0.1::9345
url=http://127.0.0.1:22345/apple
out=$(mktemp -d /tmp/berth-compose-update.XXXXXX)
trap '"${project[@]}" down -v -t 30 >/dev/null 2>&1; echo "logs: $out" >&2' EXIT

docker tag "$image" "$image-next"
"${project[@]}" up -d --no-build >/dev/null 2>"$out/up.log"
for _ in $(seq 120); do [[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "$url") == 200 ]] && break; sleep 1; done
[[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "$url") == 200 ]] || { echo "the stack did not answer $url" >&2; exit 1; }

wrk -t1 -c2 -d40s --timeout 10s "$url" >"$out/wrk.txt" &
load=$!
sleep 5  # a steady load before the update
start=$(date +%s%N)
BERTH_IMAGE=$image-next "${project[@]}" up -d --no-build worker-first 2>"$out/update.log"
updated=$(date +%s%N)
until [[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "$url") == 200 ]]; do sleep 0.05; done
echo "compose up -d with a new image of worker-first: $(( (updated - start) / 1000000 )) ms; /apple answered again" \
  "$(( ($(date +%s%N) - start) / 1000000 )) ms after it began"
wait "$load"
cat "$out/wrk.txt"
