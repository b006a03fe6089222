#!/usr/bin/env bash
# Simulates Docker hosts on one machine for the multi-host test: each host is a network namespace with its own
# dockerd, joined to the others by veth links on one bridge in the root namespace, like machines on one LAN.
#
#   src/test/sh/docker-hosts.sh up <image>[,<image>...] <host>...   e.g. up berth:it a b
#   src/test/sh/docker-hosts.sh cut <host>              unplugs the host from the network: a partition
#   src/test/sh/docker-hosts.sh heal <host>             plugs it back in
#   src/test/sh/docker-hosts.sh drop <host> <proto> <port>  a firewall on the host drops what arrives for that port
#   src/test/sh/docker-hosts.sh down <host>...
#
# Host <h> gets the address 10.231.0.<index + 2> (the bridge is 10.231.0.1) and its daemon listens on
# /run/berth-hosts/<h>/docker.sock; the images are loaded into every daemon. `down` removes everything `up` made
# (containers, daemons, namespaces, links, the bridge, iptables rules, state directories) and is safe to repeat.
# Needs root, iproute2, iptables, util-linux (unshare, nsenter) and dockerd. Facts: ../shared/DOCKER-HERE.md.
set -euo pipefail

bridge=berthhosts0
subnet_prefix=10.231.0
state=/run/berth-hosts
data=/var/lib/berth-hosts

host_ip() { echo "$subnet_prefix.$(($1 + 2))"; }
socket() { echo "$state/$1/docker.sock"; }

ping_daemon() { curl -sf --max-time 2 --unix-socket "$(socket "$1")" http://localhost/_ping >/dev/null 2>&1; }

up_bridge() {
  ip link add "$bridge" type bridge
  ip addr add "$subnet_prefix.1/24" dev "$bridge"
  ip link set "$bridge" up
  # The main dockerd sets FORWARD to DROP; frames between the hosts cross this bridge and must pass.
  iptables -I FORWARD -i "$bridge" -o "$bridge" -j ACCEPT
}

up_host() {
  local name=$1 index=$2 ns="berth-$1" ip
  ip=$(host_ip "$index")
  ip netns add "$ns"
  ip link add "bh-$name" type veth peer name eth0 netns "$ns"
  ip link set "bh-$name" master "$bridge" up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" route add default via "$subnet_prefix.1"
  # As on a fresh host: forwarding off, so that dockerd turns it on and sets FORWARD to DROP itself.
  nsenter --net="/run/netns/$ns" sysctl -qw net.ipv4.ip_forward=0
  mkdir -p "$state/$name" "$data/$name"
  # nsenter inside a private mount namespace keeps the host's cgroup mounts, which `ip netns exec` would hide. In it,
  # /var/run/docker.sock is this host's own socket, as on a real host: a container that mounts it asks its own daemon.
  # Its resolver is refused at once, as a host without registry access whose lookups fail fast: Swarm's agent tries to
  # pull a service's image before each task, and would otherwise wait for the machine's unreachable resolver each time.
  echo "nameserver 127.0.0.1" >"$state/$name/resolv.conf"
  setsid unshare --mount --propagation private nsenter --net="/run/netns/$ns" bash -c '
    sock=$1; shift
    mount --bind "${sock%/*}/resolv.conf" /etc/resolv.conf
    "$@" &
    until [[ -S $sock ]] || ! kill -0 $! 2>/dev/null; do sleep 0.1; done
    [[ -e /var/run/docker.sock ]] || touch /var/run/docker.sock
    mount --bind "$sock" /var/run/docker.sock
    wait' bash "$(socket "$name")" \
    dockerd --host "unix://$(socket "$name")" --data-root "$data/$name" --exec-root "$state/$name/exec" \
      --pidfile "$state/$name/dockerd.pid" --bip "10.232.$index.1/24" \
      --default-address-pool "base=10.233.$((index * 32)).0/19,size=24" --cgroup-parent "berth-host-$name" \
      >"$state/$name/dockerd.log" 2>&1 </dev/null &
  echo $! >"$state/$name/launcher.pid"
}

await_daemon() {
  local name=$1 deadline=$((SECONDS + 60))
  until ping_daemon "$name"; do
    if (( SECONDS >= deadline )); then
      echo "docker-hosts.sh: the dockerd of host $name did not answer within 60 s; its log ends:" >&2
      tail -n 20 "$state/$name/dockerd.log" >&2
      return 1
    fi
    sleep 0.2
  done
}

down_host() {
  local name=$1 ns="berth-$1" pid
  if ping_daemon "$name"; then
    local containers
    containers=$(docker -H "unix://$(socket "$name")" ps -aq)
    [[ -z "$containers" ]] || docker -H "unix://$(socket "$name")" rm -f $containers >/dev/null 2>&1 || true
  fi
  if [[ -f "$state/$name/dockerd.pid" ]]; then
    pid=$(cat "$state/$name/dockerd.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  ip link del "bh-$name" 2>/dev/null || true
  if [[ -e "/run/netns/$ns" ]]; then
    ip netns del "$ns" 2>/dev/null || { umount "/run/netns/$ns" 2>/dev/null; rm -f "/run/netns/$ns"; }
  fi
  rm -rf "${state:?}/$name" "${data:?}/$name"
}

down_bridge() {
  while iptables -D FORWARD -i "$bridge" -o "$bridge" -j ACCEPT 2>/dev/null; do :; done
  ip link del "$bridge" 2>/dev/null || true
}

command=${1:-}
shift || true
case "$command" in
  up)
    IFS=, read -r -a images <<<"$1"
    shift
    trap 'echo "docker-hosts.sh: up failed at line $LINENO: $BASH_COMMAND; tearing down" >&2; for h in "$@"; do down_host "$h"; done; down_bridge' ERR
    up_bridge
    index=0
    for name in "$@"; do up_host "$name" "$index"; index=$((index + 1)); done
    for name in "$@"; do await_daemon "$name"; done
    # The daemons load the images at once: the tar stream is the slow part.
    loads=()
    for name in "$@"; do docker save "${images[@]}" | docker -H "unix://$(socket "$name")" load -q >/dev/null & loads+=($!); done
    for load in "${loads[@]}"; do wait "$load"; done
    index=0
    for name in "$@"; do echo "host $name: $(host_ip "$index") unix://$(socket "$name")"; index=$((index + 1)); done
    ;;
  cut)
    ip link set "bh-$1" down
    ;;
  heal)
    ip link set "bh-$1" up
    ;;
  drop)
    nsenter --net="/run/netns/berth-$1" iptables -I INPUT -p "$2" --dport "$3" -j DROP
    ;;
  down)
    for name in "$@"; do down_host "$name"; done
    down_bridge
    rmdir "$state" "$data" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 up <image>[,<image>...] <host>... | cut <host> | heal <host> | drop <host> <proto> <port> | down <host>..." >&2
    exit 2
    ;;
esac
