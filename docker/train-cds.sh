#!/bin/bash
# Makes a class-data-sharing archive of everything a node loads by running one under -XX:ArchiveClassesAtExit:
# start-up, requests through both routes and to an unknown path, GET /cluster, then SIGTERM. A node started with
# -XX:SharedArchiveFile=<archive> (conf/jvm.options names target/berth.jsa) reaches ready in about two thirds of the
# time. `mvn package` runs it for target/berth.jsa, the image build for /opt/berth/berth.jsa.
#
#   docker/train-cds.sh <berth.jar> <conf/local.json> <archive>
#   BERTH_TRAIN_PORT_BASE (default 29345) moves the node's HTTP, management and Hazelcast ports; JAVA picks the java.
#   The default is below Linux's ephemeral range (32768-60999), which any outgoing connection may be holding.
#
# The Docker client is exercised against a closed port, so that its classes are in the archive too; the node then
# advertises its bound addresses, as auto mode does outside Docker.
set -euo pipefail
jar=$1 conf=$2 archive=$3
java=${JAVA:-java}
base=${BERTH_TRAIN_PORT_BASE:-29345}
http=$base management=$((base + 1)) hazelcast=$((base + 2))
fail() { echo "train-cds.sh: $*" >&2; exit 1; }

rm -f "$archive"
BERTH_ADVERTISE=auto BERTH_CONTAINER_ID=cds-training DOCKER_HOST=tcp://127.0.0.1:9 BERTH_CLUSTER_NAME="cds-training-$$" \
  BERTH_HTTP_PORT=$http BERTH_MANAGEMENT_PORT=$management BERTH_HAZELCAST_PORT=$hazelcast \
  BERTH_CLUSTER_MEMBERS="127.0.0.1:$hazelcast" \
  "$java" -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=error,cds+dynamic=error -jar "$jar" -conf "$conf" &
node=$!
trap 'kill -KILL "$node" 2>/dev/null || true' EXIT

status() { # path port -> the HTTP status, or "none"
  local code
  exec 3<>"/dev/tcp/127.0.0.1/$2" || { echo none; return; }
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$1" >&3
  read -r -t 5 _ code _ <&3 || true
  exec 3<&-
  echo "${code:-none}"
}

for _ in $(seq 1 600); do
  [[ $(status /health "$management" 2>/dev/null) == 200 ]] && break
  kill -0 "$node" 2>/dev/null || fail "the training node exited during start-up (ports $http-$hazelcast in use? set BERTH_TRAIN_PORT_BASE)"
  sleep 0.1
done
[[ $(status /health "$management" 2>/dev/null) == 200 ]] || fail "the training node was not healthy within 60 s"
for _ in $(seq 1 200); do
  for path in /apple /zebra /1abc; do status "$path" "$http" >/dev/null; done
done
status /cluster "$management" >/dev/null
kill -TERM "$node"
wait "$node" || fail "the training node did not stop cleanly"
trap - EXIT
[[ -s "$archive" ]] || fail "no archive was written to $archive"
echo "train-cds.sh: $archive ($(du -m "$archive" | cut -f1) MB)"
