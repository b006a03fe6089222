#!/bin/bash
# Docker HEALTHCHECK: the node's GET /health answers 200 (in the cluster, serving, not draining). Uses bash's /dev/tcp,
# so that the image needs no HTTP client beyond what every Debian or Ubuntu base has.
set -eu
exec 3<>"/dev/tcp/127.0.0.1/${BERTH_MANAGEMENT_PORT:-9345}"
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 2 _ status _ <&3
[ "$status" = 200 ]
