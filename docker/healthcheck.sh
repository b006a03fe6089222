#!/bin/bash
# Docker HEALTHCHECK. Uses bash's /dev/tcp, so that the image needs no HTTP client beyond what every Debian or Ubuntu
# base has.
#   healthcheck.sh          ready: the node's GET /health answers 200 (in the cluster, serving, not draining)
#   healthcheck.sh alive    its Hazelcast port accepts a connection, which it does before it joins: for Swarm, which
#                           lists a task in DNS only once it is healthy, while a node finds the cluster through DNS
set -eu
if [ "${1:-ready}" = alive ]; then
  exec 3<>"/dev/tcp/127.0.0.1/${BERTH_HAZELCAST_PORT:-5701}"
  exit 0
fi
exec 3<>"/dev/tcp/127.0.0.1/${BERTH_MANAGEMENT_PORT:-9345}"
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 2 _ status _ <&3
[ "$status" = 200 ]
