#!/usr/bin/env bash
# Makes what is missing in a certificate directory with berth's own command: the authority once, then a certificate
# and key for each node named. Used by secrets.sh and rotate.sh.
#   deploy/swarm/certs.sh <dir> <node>...      BERTH_IMAGE (default berth:latest) runs java -jar berth.jar certs
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
docker run --rm --user "$(id -u):$(id -g)" -v "$(realpath "$dir"):/certs" --entrypoint java \
  "${BERTH_IMAGE:-berth:latest}" -jar /opt/berth/berth.jar certs /certs "$@"
