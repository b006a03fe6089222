#!/bin/bash
# Image build step: runs one node through start-up, a few requests and SIGTERM with -XX:ArchiveClassesAtExit, so
# that the image ships a class-data-sharing archive of everything a node loads. Containers started from the image map
# it (-XX:SharedArchiveFile) and reach ready in about half the time.
# The Docker client is exercised against a closed port (there is no daemon during a build), so its classes are in
# the archive too; the node then falls back to advertising its bound addresses, as auto mode does.
set -euo pipefail
archive=$1

BERTH_ADVERTISE=auto BERTH_CONTAINER_ID=image-build DOCKER_HOST=tcp://127.0.0.1:9 \
  java -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=error -jar /opt/berth/berth.jar -conf /opt/berth/conf/local.json &
node=$!

get() { # path port -> status line
  exec 3<>"/dev/tcp/127.0.0.1/$2"
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$1" >&3
  local status
  read -r -t 5 _ status _ <&3 || true
  exec 3<&-
  echo "${status:-none}"
}

for _ in $(seq 1 600); do
  [[ $(get /health 9345 2>/dev/null || true) == 200 ]] && break
  kill -0 "$node" || { echo "train-cds.sh: the node exited during start-up" >&2; exit 1; }
  sleep 0.1
done
for _ in $(seq 1 200); do
  for path in /apple /zebra /1abc; do get "$path" 2345 >/dev/null; done
done
get /cluster 9345 >/dev/null
kill -TERM "$node"
wait "$node"
ls -l "$archive"
