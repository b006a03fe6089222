#!/usr/bin/env bash
# Makes the cluster's certificates and stores each node's as Swarm secrets; run once, on a manager. The authority's key
# (ca-key.pem) stays in the directory, never in the Swarm: keep it offline, it makes every future certificate.
#   deploy/swarm/secrets.sh [dir]      default: ./berth-certs; an authority already there is kept and used
#   BERTH_IMAGE (default berth:latest) is the image that makes them (java -jar berth.jar certs)
set -euo pipefail
dir=${1:-berth-certs}
image=${BERTH_IMAGE:-berth:latest}
services=(gateway worker-first worker-second)

mkdir -p "$dir"
docker run --rm --user "$(id -u):$(id -g)" -v "$(realpath "$dir"):/certs" --entrypoint java "$image" \
  -jar /opt/berth/berth.jar certs /certs "${services[@]}"
create() { # secret file
  docker secret create "$1" "$2" >/dev/null
  echo "secret $1 made from $2"
}
create berth-ca.pem "$dir/ca.pem"
for service in "${services[@]}"; do
  create "berth-$service.pem" "$dir/$service.pem"
  create "berth-$service-key.pem" "$dir/$service-key.pem"
done
