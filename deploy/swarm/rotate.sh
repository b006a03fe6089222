#!/usr/bin/env bash
# Rotates one service's certificate with a rolling update that loses nothing: a new certificate from the same authority,
# stored as new Swarm secrets, swapped in with docker service update --secret-rm/--secret-add (the new task starts
# before the old one stops, as for any update). The secrets of the stack file's names are then made again from the new
# files, so that a later deploy.sh keeps the new certificate.
#   deploy/swarm/rotate.sh <service> [dir]     e.g. rotate.sh worker-first; dir: the authority's, default ./berth-certs
#   BERTH_STACK (default berth) is the stack's name
set -euo pipefail
here=$(dirname "$0")
service=${1:?usage: deploy/swarm/rotate.sh <service> [dir]}
dir=${2:-berth-certs}
stack=${BERTH_STACK:-berth}
swarm_service="${stack}_$service"

if [[ ! -f "$dir/ca-key.pem" ]]; then
  echo "berth: $dir/ca-key.pem is missing: rotate with the directory of the authority that made the secrets" >&2
  exit 78
fi
if ! docker service inspect "$swarm_service" >/dev/null 2>&1; then
  echo "berth: the service $swarm_service does not run: give a service of the stack $stack (BERTH_STACK)" >&2
  exit 78
fi

rm -f "$dir/$service.pem" "$dir/$service-key.pem"
"$here/certs.sh" "$dir" "$service"
version=$(date -u +%Y%m%d%H%M%S)
update=()
old=()
for file in "$service.pem" "$service-key.pem"; do
  target="berth-$file"
  docker secret create "$target.$version" "$dir/$file" >/dev/null
  current=$(docker service inspect --format \
    "{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{if eq .File.Name \"$target\"}}{{.SecretName}}{{end}}{{end}}" \
    "$swarm_service")
  old+=("$current")
  update+=(--secret-rm "$current" --secret-add "source=$target.$version,target=$target")
done
docker service update --detach=false --quiet "${update[@]}" "$swarm_service"
# The stack file's names get the new files (while no task uses them), the secrets of the last rotation go.
for file in "$service.pem" "$service-key.pem"; do
  docker secret rm "berth-$file" >/dev/null 2>&1 || true
  docker secret create "berth-$file" "$dir/$file" >/dev/null
done
for secret in "${old[@]}"; do
  [[ $secret == *.pem ]] || docker secret rm "$secret" >/dev/null
done
echo "rotated $swarm_service to the secrets berth-$service.pem.$version and berth-$service-key.pem.$version"
