#!/usr/bin/env bash
# Deploys berth as a stack (default name berth) once every secret it needs is in the Swarm: a missing one gets a line of
# its own, the exit code is 78 and nothing is deployed, so that no node half starts.
#   deploy/swarm/deploy.sh [--published-ports] [--polyglot] [stack]
#     default         berth.yml + overlay.yml: the nodes meet over an overlay network (docs/swarm.md)
#     --published-ports  berth.yml + published-ports.yml: over host-mode published ports; the seeds are each node's
#                     address (docker node ls) with port 5701 unless BERTH_SWARM_SEEDS lists them
#     --polyglot      adds polyglot.yml (overlay only): a bridge and workers in Python, Node.js and Go
#   BERTH_RESOLVE_IMAGE=never when the images are on each node and in no registry: no lookup of their digests, which on
#   a machine without a registry waits for the lookup to fail (default: always, each node runs the very same image)
set -euo pipefail
here=$(dirname "$0")
mode=overlay
files=()
while [[ $# -gt 0 && $1 == --* ]]; do
  case "$1" in
    --published-ports) mode=published-ports ;;
    --polyglot) files+=("$here/polyglot.yml") ;;
    *) echo "berth: unknown option $1: deploy.sh [--published-ports] [--polyglot] [stack]" >&2; exit 64 ;;
  esac
  shift
done
stack=${1:-berth}
if [[ $mode == published-ports && ${#files[@]} -gt 0 ]]; then
  echo "berth: --polyglot needs the overlay network (its workers reach the bridge over it): drop --published-ports" >&2
  exit 64
fi
files=("$here/berth.yml" "$here/$mode.yml" "${files[@]}")

missing=0
for secret in $(sed -s -n '/^secrets:/,$p' "${files[@]}" | grep -o '^  berth-[a-z.-]*' | awk '!seen[$0]++'); do
  if ! docker secret inspect "$secret" >/dev/null 2>&1; then
    echo "berth: the Swarm secret $secret is missing: make the secrets with deploy/swarm/secrets.sh" >&2
    missing=1
  fi
done
(( missing == 0 )) || exit 78

if [[ $mode == published-ports && -z ${BERTH_SWARM_SEEDS:-} ]]; then
  BERTH_SWARM_SEEDS=$(docker node ls -q | xargs docker node inspect --format '{{.Status.Addr}}:5701' | paste -sd,)
  export BERTH_SWARM_SEEDS
fi
compose_files=()
for file in "${files[@]}"; do compose_files+=(-c "$file"); done
docker stack deploy --detach=true --resolve-image "${BERTH_RESOLVE_IMAGE:-always}" "${compose_files[@]}" "$stack"
