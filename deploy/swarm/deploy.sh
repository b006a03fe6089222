#!/usr/bin/env bash
# Deploys deploy/swarm/berth.yml as a stack (default name berth), once every secret it needs is in the Swarm: a missing
# one gets a line of its own, the exit code is 78 and nothing is deployed, so that no node half starts.
#   deploy/swarm/deploy.sh [stack]
#   BERTH_RESOLVE_IMAGE=never when the image is on each node and in no registry: no lookup of its digest, which on a
#   machine without a registry waits for the lookup to fail (default: always, each node runs the very same image)
set -euo pipefail
here=$(dirname "$0")
stack=${1:-berth}

missing=0
for secret in $(sed -n '/^secrets:/,$p' "$here/berth.yml" | grep -o '^  berth-[a-z-]*\.pem'); do
  if ! docker secret inspect "$secret" >/dev/null 2>&1; then
    echo "berth: the Swarm secret $secret is missing: make the secrets with deploy/swarm/secrets.sh" >&2
    missing=1
  fi
done
(( missing == 0 )) || exit 78
docker stack deploy --detach=true --resolve-image "${BERTH_RESOLVE_IMAGE:-always}" -c "$here/berth.yml" "$stack"
