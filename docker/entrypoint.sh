#!/bin/sh
# Runs berth as the unprivileged user berth, the JVM replacing this shell as PID 1 so that SIGTERM reaches it, with the
# flags of conf/jvm.options, this image's class-data-sharing archive and then JAVA_OPTS, which win.
# Started as root (the image's default), it first adds the group that owns the mounted Docker socket, so that the
# node can read its published ports without running as root. Started with --user, it runs as that user unchanged.
set -eu

# The heap: under a container memory limit, the limit less 128 MB for the rest of the JVM; without one, the fixed
# default of conf/jvm.options rather than a quarter of the whole host.
heap=
limit=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || echo max)
case "$limit" in
  *[!0-9]*|'') ;;
  *)
    limit_mb=$((limit / 1048576))
    if [ "$limit_mb" -lt 1048576 ]; then
      if [ "$limit_mb" -lt 192 ]; then
        echo "berth: the container's memory limit is ${limit_mb} MB; a node needs at least 192 MB (docker run --memory 192m)" >&2
        exit 78
      fi
      heap="-Xmx$((limit_mb - 128))m"
    fi
    ;;
esac

set -- @/opt/berth/conf/jvm.options -XX:SharedArchiveFile=/opt/berth/berth.jsa $heap ${JAVA_OPTS:-} \
  -jar /opt/berth/berth.jar "$@"

if [ "$(id -u)" != 0 ]; then
  exec java "$@"
fi

socket=/var/run/docker.sock
case "${DOCKER_HOST:-}" in
  unix://*) socket=${DOCKER_HOST#unix://} ;;
esac
groups=berth
if [ -S "$socket" ]; then
  groups="berth,$(stat -c %g "$socket")"
fi
exec setpriv --reuid=berth --regid=berth --groups="$groups" --inh-caps=-all --no-new-privs java "$@"
