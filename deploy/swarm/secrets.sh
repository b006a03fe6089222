#!/usr/bin/env bash
# Makes the cluster's certificates and stores each node's as Swarm secrets, with the bridge's token; run once, on a
# manager. The authority's key (ca-key.pem) stays in the directory, never in the Swarm: keep it offline, it makes every
# future certificate (deploy/swarm/rotate.sh).
#   deploy/swarm/secrets.sh [dir]      default: ./berth-certs; an authority already there is kept and used
#   BERTH_IMAGE (default berth:latest) is the image that makes them (java -jar berth.jar certs)
set -euo pipefail
here=$(dirname "$0")
dir=${1:-berth-certs}
services=(gateway worker-first worker-second worker-bridge)

"$here/certs.sh" "$dir" "${services[@]}"
create() { # secret file
  docker secret create "$1" "$2" >/dev/null
  echo "secret $1 made from $2"
}
create berth-ca.pem "$dir/ca.pem"
for service in "${services[@]}"; do
  create "berth-$service.pem" "$dir/$service.pem"
  create "berth-$service-key.pem" "$dir/$service-key.pem"
done
# 32 hex digits from the kernel's random source: the token worker-bridge's clients present.
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | docker secret create berth-bridge-token - >/dev/null
echo "secret berth-bridge-token made from 16 random bytes"
