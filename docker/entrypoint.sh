#!/bin/sh
# Runs berth as the unprivileged user berth, the JVM replacing this shell as PID 1 so that SIGTERM reaches it.
# Started as root (the image's default), it first adds the group that owns the mounted Docker socket, so that the
# node can read its published ports without running as root. Started with --user, it runs as that user unchanged.
set -eu

if [ "$(id -u)" != 0 ]; then
  # shellcheck disable=SC2086  # JAVA_OPTS holds several flags
  exec java $JAVA_OPTS -jar /opt/berth/berth.jar "$@"
fi

socket=/var/run/docker.sock
case "${DOCKER_HOST:-}" in
  unix://*) socket=${DOCKER_HOST#unix://} ;;
esac
groups=berth
if [ -S "$socket" ]; then
  groups="berth,$(stat -c %g "$socket")"
fi
# shellcheck disable=SC2086
exec setpriv --reuid=berth --regid=berth --groups="$groups" --inh-caps=-all --no-new-privs \
  java $JAVA_OPTS -jar /opt/berth/berth.jar "$@"
