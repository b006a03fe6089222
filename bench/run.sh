#!/usr/bin/env bash
# berth's gateway against nginx path routing and a bare Vert.x server, side by side on loopback under identical load.
#
#   bench/run.sh           full: 30 s warm-up per system, then 5 interleaved rounds of 15 s each (about 10 minutes)
#   bench/run.sh --quick   2 s warm-up and one round of 3 s (about a minute): keeps the harness from rotting in CI
#   Options: --rounds N  --duration SECONDS  --warmup SECONDS  --connections N  --out DIR (default bench/results)
#            --baseline JAR: also runs berth-cluster from another build as the system baseline-cluster, to measure
#            what a change costs in the same run as the system without it
#   BENCH_JAVA_OPTS adds JVM flags to every JVM of the run; BENCH_PORT_BASE moves its ports (default 20000).
#
# The systems, each on its own ports, all running for the whole benchmark:
#   ceiling        bench/BareServer.java answering First: a bare Vert.x HTTP server, no routing, no event bus
#   berth-local    conf/local.json: the gateway and both workers in one JVM
#   berth-cluster  conf/gateway.json, conf/worker-first.json, conf/worker-second.json: three JVMs, TCP event bus
#   berth-cluster-notracing  the same three JVMs with OTEL_SDK_DISABLED=true: what tracing costs with the default
#                  exporter none (berth-cluster and every other berth system pass trace context on, the default)
#   berth-cluster-nometrics  the same three JVMs with management.metrics false: what metrics cost (berth-cluster
#                  and every other berth system run with metrics, the default)
#   berth-https    the same three JVMs with the gateway serving HTTPS (gateway.tls, the certificate made for berth-prod's
#                  gateway): what HTTPS for clients costs; wrk speaks TLS 1.3 over HTTP/1.1 to it
#   berth-accesslog  the same three JVMs with BERTH_ACCESS_LOG=true: what the gateway's access log costs, a line per
#                  request written to the node's output (a file here)
#   berth-prod     the same three JVMs with cluster.tls (certificates from java -jar berth.jar certs) and metrics,
#                  as the README recommends running them: mutual TLS on the event bus, only proven members routed to
#   berth-crl      berth-prod again with the authority's revocation list (cluster.tls.crl, one certificate revoked):
#                  what checking it costs, each event-bus read comparing the list's version
#   bridge-python  conf/gateway.json and a worker JVM with a TCP bridge (for first and second), each address served by
#                  a process of the Python worker package's demo (python3 -m berth_worker): the cost of a worker in
#                  another language
#   bridge-node    the same with the Node.js package's (workers/node/bin/berth-worker.js)
#   bridge-go      the same with the Go package's, built here (go build ./cmd/berth-worker)
#   bus-floor      bench/BusFloor.java: three JVMs like berth-cluster, passing the path as a String over the same
#                  clustered event bus; no router, no JSON: the floor of berth's design on this machine
#   nginx          Debian's nginx routing /[a-m] and /[n-z] (any case) to two BareServer JVMs answering First and
#                  Second, HTTP/1.1 keepalive to the upstreams; the config is generated below
#   haproxy        Debian's HAProxy routing the same way to the same two upstreams, connections to them reused
#   caddy          Debian's Caddy routing the same way to the same two upstreams (its reverse_proxy keeps them alive)
#                  The three are the peers: in each round berth-prod is compared with the best of them.
# A second load shape, reported beside the first and not tuned for: berth-prod and the peers under wrk -t1 -c200, every
# other request a POST of 1 KB to /zebra (bench/wrk-report.lua's "mixed").
# Load: wrk -t1 -c50 asking /apple and /zebra in turn (bench/wrk-report.lua). Every round runs every system once, in
# a rotated order, so that drift of the machine hits all of them alike. For each: requests/s, p50, p99, errors and
# the RSS of every process sampled under load, the CPU time each process spent per request, the share of the
# machine's CPU the hypervisor took (steal) and the share no process used (idle) during the run; per round, berth's
# ratios to nginx, to the ceiling and to the floor.
# Before the load: each berth node's start-up-to-ready time, started alone on a quiet machine, how long a worker
# takes to join, and how long a bridge worker process takes from its launch to its first answered request.
# Output: a table on stdout; <out>/<time>.json and <out>/<time>.png, copied to <out>/latest.json and latest.png.
set -euo pipefail
cd "$(dirname "$0")/.."

# The warm-up is long because three JVMs share two cores while their JIT compilers finish: ~30 s of load here.
rounds=5 duration=15 warmup=30 connections=50 out=bench/results mode=full baseline=
while (( $# )); do
  case "$1" in
    --quick) mode=quick rounds=1 duration=3 warmup=2; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    *) echo "usage: bench/run.sh [--quick] [--rounds N] [--duration S] [--warmup S] [--connections N] [--out DIR]" \
         "[--baseline JAR]" >&2
       exit 2 ;;
  esac
done

script=bench/run.sh
work=$(mktemp -d /tmp/berth-bench.XXXXXX)
source bench/lib.sh
require_jars target/berth.jar "$baseline"
for tool in wrk nginx haproxy caddy gnuplot jq curl python3 node go; do
  command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install wrk nginx-light haproxy caddy gnuplot-nox jq"\
    "curl python3 nodejs golang-go"
done

base=${BENCH_PORT_BASE:-20000}
keep_logs_on_failure

# ---- processes --------------------------------------------------------------------------------------------------

bare_server() { # name port text
  launch "$1" java "${java_opts[@]}" -cp target/berth.jar bench/BareServer.java "$2" "$3"
}

bus_floor() { # name role-arguments...: a JVM of bench/BusFloor.java with berth's JVM flags
  local name=$1
  shift
  launch "$name" java @conf/jvm.options "${java_opts[@]}" -cp target/berth.jar bench/BusFloor.java "$@"
}

bridge_worker() { # name python|node|go bridge-port address: the demo worker of a worker package
  local script
  case "$2" in
    python) script=(env PYTHONPATH=workers/python python3 -m berth_worker) ;;
    node) script=(node workers/node/bin/berth-worker.js) ;;
    go) script=("$work/berth-worker-go") ;;
  esac
  launch "$1" env BERTH_BRIDGE="127.0.0.1:$3" BERTH_ADDRESS="$4" BERTH_WORKER_NAME="$1" "${script[@]}"
}

ready_ms() { # name: the node's own "ready in N ms" figure, JVM start to ready
  grep -o 'ready in [0-9]* ms' "$work/$1.log" | grep -o '[0-9]*'
}

clock_hz=$(getconf CLK_TCK)

with_children() { # pid: the pid and those of its children (nginx's workers), one per line
  echo "$1"
  ps -o pid= --ppid "$1"
}

cpu_ticks() { # pids...: their CPU time so far, children included, in clock ticks
  local parent pid total=0
  for parent in "$@"; do
    for pid in $(with_children "$parent"); do
      total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
    done
  done
  echo "$total"
}

await_quiet() { # names...: waits until those processes use under 5 % of one core (a joining node's partition
  # migrations and JIT settle), at most 15 s, so that the next node's start-up is measured on an idle machine
  local pids=() name before deadline=$((SECONDS + 15))
  for name in "$@"; do pids+=("${pid_of[$name]}"); done
  while (( SECONDS < deadline )); do
    before=$(cpu_ticks "${pids[@]}")
    sleep 0.5
    (( ($(cpu_ticks "${pids[@]}") - before) * 100 < clock_hz * 5 / 2 )) && return 0
  done
  echo "   note: $* still busy after 15 s; the next node's start-up is measured on a busy machine"
}

nginx_config() { # port first-upstream-port second-upstream-port
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream first { server 127.0.0.1:$2; keepalive 64; }
  upstream second { server 127.0.0.1:$3; keepalive 64; }
  server {
    listen 127.0.0.1:$1;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    location ~* ^/[a-m] { proxy_pass http://first; }
    location ~* ^/[n-z] { proxy_pass http://second; }
    location / { default_type application/json; return 404 '{"status":404,"error":"no route"}'; }
  }
}
EOF
}

haproxy_config() { # port first-upstream-port second-upstream-port
  mkdir -p "$work/haproxy"
  cat >"$work/haproxy/haproxy.cfg" <<EOF
global
  nbthread $(nproc)
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  http-reuse always
frontend peer
  bind 127.0.0.1:$1
  acl first path_reg -i ^/[a-m]
  acl second path_reg -i ^/[n-z]
  http-request return status 404 content-type application/json string '{"status":404,"error":"no route"}' \
    if !first !second
  use_backend first if first
  use_backend second if second
backend first
  server first 127.0.0.1:$2
backend second
  server second 127.0.0.1:$3
EOF
}

caddy_config() { # port first-upstream-port second-upstream-port
  mkdir -p "$work/caddy"
  cat >"$work/caddy/Caddyfile" <<EOF
{
  admin off
  auto_https off
}
http://127.0.0.1:$1 {
  @first path_regexp ^/[a-mA-M]
  @second path_regexp ^/[n-zN-Z]
  handle @first {
    reverse_proxy 127.0.0.1:$2
  }
  handle @second {
    reverse_proxy 127.0.0.1:$3
  }
  handle {
    header Content-Type application/json
    respond \`{"status":404,"error":"no route"}\` 404
  }
}
EOF
}

# ---- start-up -----------------------------------------------------------------------------------------------------

declare -A url_of=(
  [ceiling]="http://127.0.0.1:$base"
  [nginx]="http://127.0.0.1:$((base + 3))"
  [haproxy]="http://127.0.0.1:$((base + 4))"
  [caddy]="http://127.0.0.1:$((base + 5))"
  [berth-local]="http://127.0.0.1:$((base + 10))"
  [berth-cluster]="http://127.0.0.1:$((base + 20))"
  [bus-floor]="http://127.0.0.1:$((base + 30))"
  [berth-prod]="http://127.0.0.1:$((base + 50))"
  [berth-cluster-nometrics]="http://127.0.0.1:$((base + 80))"
  [berth-cluster-notracing]="http://127.0.0.1:$((base + 90))"
  [berth-https]="https://127.0.0.1:$((base + 120))"
  [berth-accesslog]="http://127.0.0.1:$((base + 130))"
  [berth-crl]="http://127.0.0.1:$((base + 140))"
  [bridge-python]="http://127.0.0.1:$((base + 60))"
  [bridge-node]="http://127.0.0.1:$((base + 70))"
  [bridge-go]="http://127.0.0.1:$((base + 100))"
)
declare -A processes_of=(
  [ceiling]="ceiling"
  [nginx]="nginx upstream-first upstream-second"
  [haproxy]="haproxy upstream-first upstream-second"
  [caddy]="caddy upstream-first upstream-second"
  [berth-local]="local"
  [berth-cluster]="gateway worker-first worker-second"
  [bus-floor]="floor-gateway floor-first floor-second"
  [berth-prod]="tls-gateway tls-first tls-second"
  [berth-cluster-nometrics]="nometrics-gateway nometrics-first nometrics-second"
  [berth-cluster-notracing]="notracing-gateway notracing-first notracing-second"
  [berth-https]="https-gateway https-first https-second"
  [berth-accesslog]="accesslog-gateway accesslog-first accesslog-second"
  [berth-crl]="crl-gateway crl-first crl-second"
  [bridge-python]="python-gateway python-bridge python-first python-second"
  [bridge-node]="node-gateway node-bridge node-first node-second"
  [bridge-go]="go-gateway go-bridge go-first go-second"
)
systems=(ceiling berth-local berth-cluster berth-cluster-nometrics berth-cluster-notracing berth-https berth-accesslog
  berth-prod berth-crl bridge-python bridge-node bridge-go bus-floor nginx haproxy caddy)
if [[ -n "$baseline" ]]; then
  url_of[baseline-cluster]="http://127.0.0.1:$((base + 40))"
  processes_of[baseline-cluster]="baseline-gateway baseline-first baseline-second"
  systems+=(baseline-cluster)
fi

echo "== starting the systems (logs in $work)"
bare_server ceiling "$base" First
bare_server upstream-first $((base + 1)) First
bare_server upstream-second $((base + 2)) Second
nginx_config $((base + 3)) $((base + 1)) $((base + 2))
launch nginx nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;'
haproxy_config $((base + 4)) $((base + 1)) $((base + 2))
launch haproxy haproxy -db -f "$work/haproxy/haproxy.cfg"
caddy_config $((base + 5)) $((base + 1)) $((base + 2))
launch caddy env XDG_CONFIG_HOME="$work/caddy" XDG_DATA_HOME="$work/caddy" caddy run --adapter caddyfile \
  --config "$work/caddy/Caddyfile"
await_status "${url_of[ceiling]}/a" First 60
await_status "http://127.0.0.1:$((base + 1))/a" First 60
await_status "http://127.0.0.1:$((base + 2))/z" Second 60
await_status "${url_of[nginx]}/zebra" Second 10
await_status "${url_of[haproxy]}/zebra" Second 10
await_status "${url_of[caddy]}/zebra" Second 10

# Each berth node starts alone, so that its start-up time is its own and not a share of a crowded machine.
await_quiet ceiling upstream-first upstream-second
berth_node local conf/local.json "bench-local-$$" $((base + 10)) $((base + 11)) $((base + 12)) "127.0.0.1:$((base + 12))"
await_status "http://127.0.0.1:$((base + 11))/health" "" 60
members="127.0.0.1:$((base + 22)),127.0.0.1:$((base + 24)),127.0.0.1:$((base + 26))"
await_quiet local
berth_node gateway conf/gateway.json "bench-cluster-$$" $((base + 20)) $((base + 21)) $((base + 22)) "$members"
await_status "http://127.0.0.1:$((base + 21))/health" "" 60
declare -A join_ms=()
for worker in worker-first:23:24:a:First worker-second:25:26:z:Second; do
  IFS=: read -r name management hazelcast path answer <<<"$worker"
  await_quiet gateway ${joined_workers:-}
  started=$(now_ms)
  berth_node "$name" "conf/$name.json" "bench-cluster-$$" $((base + 20)) $((base + management)) \
    $((base + hazelcast)) "$members"
  await_status "${url_of[berth-cluster]}/$path" "$answer" 60
  join_ms[$name]=$(( $(now_ms) - started ))
  joined_workers="${joined_workers:-} $name"
done

if [[ -n "$baseline" ]]; then
  baseline_members="127.0.0.1:$((base + 42)),127.0.0.1:$((base + 44)),127.0.0.1:$((base + 46))"
  BENCH_JAR=$baseline berth_node baseline-gateway conf/gateway.json "bench-baseline-$$" $((base + 40)) $((base + 41)) \
    $((base + 42)) "$baseline_members"
  await_status "http://127.0.0.1:$((base + 41))/health" "" 60
  BENCH_JAR=$baseline berth_node baseline-first conf/worker-first.json "bench-baseline-$$" $((base + 40)) \
    $((base + 43)) $((base + 44)) "$baseline_members"
  BENCH_JAR=$baseline berth_node baseline-second conf/worker-second.json "bench-baseline-$$" $((base + 40)) \
    $((base + 45)) $((base + 46)) "$baseline_members"
  await_status "${url_of[baseline-cluster]}/apple" First 60
  await_status "${url_of[baseline-cluster]}/zebra" Second 60
fi

make_certs
tls_members="127.0.0.1:$((base + 52)),127.0.0.1:$((base + 54)),127.0.0.1:$((base + 56))"
tls_node tls-gateway conf/gateway.json "bench-tls-$$" $((base + 50)) $((base + 51)) $((base + 52)) "$tls_members"
await_status "http://127.0.0.1:$((base + 51))/health" "" 60
tls_node tls-first conf/worker-first.json "bench-tls-$$" $((base + 50)) $((base + 53)) $((base + 54)) "$tls_members"
tls_node tls-second conf/worker-second.json "bench-tls-$$" $((base + 50)) $((base + 55)) $((base + 56)) "$tls_members"
await_status "${url_of[berth-prod]}/apple" First 60
await_status "${url_of[berth-prod]}/zebra" Second 60
java -jar "${BENCH_JAR:-target/berth.jar}" certs "$work/certs" retired >/dev/null
java -jar "${BENCH_JAR:-target/berth.jar}" revoke "$work/certs" retired >/dev/null
crl_members="127.0.0.1:$((base + 142)),127.0.0.1:$((base + 144)),127.0.0.1:$((base + 146))"
export BERTH_TLS_CRL="$work/certs/crl.pem"
tls_node crl-gateway conf/gateway.json "bench-crl-$$" $((base + 140)) $((base + 141)) $((base + 142)) "$crl_members"
await_status "http://127.0.0.1:$((base + 141))/health" "" 60
tls_node crl-first conf/worker-first.json "bench-crl-$$" $((base + 140)) $((base + 143)) $((base + 144)) "$crl_members"
tls_node crl-second conf/worker-second.json "bench-crl-$$" $((base + 140)) $((base + 145)) $((base + 146)) "$crl_members"
unset BERTH_TLS_CRL
await_status "${url_of[berth-crl]}/apple" First 60
await_status "${url_of[berth-crl]}/zebra" Second 60

variant_cluster() { # system prefix offset jq-filter [NAME=value...]: berth-cluster again on ports base+offset.., each
  # conf changed by the filter, each node with the variables: what a setting costs, beside berth-cluster in the same run
  local system=$1 prefix=$2 offset=$3 filter=$4 node name management hazelcast assignment
  shift 4
  for assignment in "$@"; do local -x "$assignment"; done
  local members="127.0.0.1:$((base + offset + 2)),127.0.0.1:$((base + offset + 4)),127.0.0.1:$((base + offset + 6))"
  for node in gateway:1:2 worker-first:3:4 worker-second:5:6; do
    IFS=: read -r name management hazelcast <<<"$node"
    jq "$filter" "conf/$name.json" >"$work/$prefix-$name.json"
    berth_node "$prefix-${name#worker-}" "$work/$prefix-$name.json" "bench-$prefix-$$" $((base + offset)) \
      $((base + offset + management)) $((base + offset + hazelcast)) "$members"
  done
  await_status "${url_of[$system]}/apple" First 60
  await_status "${url_of[$system]}/zebra" Second 60
}
variant_cluster berth-cluster-nometrics nometrics 80 '.management.metrics = false'
variant_cluster berth-cluster-notracing notracing 90 . OTEL_SDK_DISABLED=true
variant_cluster berth-https https 120 . BERTH_HTTPS_CERT="$work/certs/gateway.pem" \
  BERTH_HTTPS_KEY="$work/certs/gateway-key.pem"
variant_cluster berth-accesslog accesslog 130 . BERTH_ACCESS_LOG=true

# Three bridge clusters: a gateway and a bridge node each, then a worker process per address, the first one timed from
# its launch to the gateway's first answer from it.
(cd workers/go && CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=mod go build -o "$work/berth-worker-go" ./cmd/berth-worker)
export BERTH_BRIDGE_TOKEN=bench-token-$$-$RANDOM$RANDOM
jq -n '{roles: ["worker"], bridge: {host: "127.0.0.1", addresses: ["first", "second"]}, cluster: {host: "127.0.0.1"}}' \
  >"$work/bridge.json"
declare -A first_answer_ms=()
for cluster in python:60 node:70 go:100; do
  IFS=: read -r language offset <<<"$cluster"
  bridge_members="127.0.0.1:$((base + offset + 2)),127.0.0.1:$((base + offset + 4))"
  berth_node "$language-gateway" conf/gateway.json "bench-$language-$$" $((base + offset)) $((base + offset + 1)) \
    $((base + offset + 2)) "$bridge_members"
  BERTH_BRIDGE_PORT=$((base + offset + 5)) berth_node "$language-bridge" "$work/bridge.json" "bench-$language-$$" \
    $((base + offset)) $((base + offset + 3)) $((base + offset + 4)) "$bridge_members"
  await_status "http://127.0.0.1:$((base + offset + 3))/health" "" 60
  await_status "http://127.0.0.1:$((base + offset + 1))/health" "" 60
  await_quiet "$language-gateway" "$language-bridge"
  for address in first:apple second:zebra; do
    IFS=: read -r name path <<<"$address"
    started=$(now_ms)
    bridge_worker "$language-$name" "$language" $((base + offset + 5)) "$name"
    await_status "${url_of[bridge-$language]}/$path" "" 60
    first_answer_ms[$language-$name]=$(( $(now_ms) - started ))
  done
done

floor_members="127.0.0.1:$((base + 32)),127.0.0.1:$((base + 34)),127.0.0.1:$((base + 36))"
bus_floor floor-gateway $((base + 32)) "bench-floor-$$" "$floor_members" gateway $((base + 30))
bus_floor floor-first $((base + 34)) "bench-floor-$$" "$floor_members" worker first First
bus_floor floor-second $((base + 36)) "bench-floor-$$" "$floor_members" worker second Second
await_status "${url_of[bus-floor]}/apple" First 60
await_status "${url_of[bus-floor]}/zebra" Second 60

startup_json=$({
  for node in local gateway worker-first worker-second; do
    jq -n --arg node "$node" --argjson ready "$(ready_ms "$node")" --argjson join "${join_ms[$node]:-null}" \
      '{node: $node, ready_ms: $ready, join_ms: $join}'
  done
  for worker in python-first node-first go-first; do
    jq -n --arg node "$worker" --argjson join "${first_answer_ms[$worker]}" '{node: $node, ready_ms: null, join_ms: $join}'
  done
} | jq -s .)

# ---- load ---------------------------------------------------------------------------------------------------------

rss_json() { # processes...: {"process": MB} of each, nginx with its workers summed
  local name pid kb
  for name in "$@"; do
    pid=${pid_of[$name]}
    kb=$(ps -o rss= $(with_children "$pid" | sed 's/^ */-p /') | awk '{sum += $1} END {print sum}')
    jq -n --arg name "$name" --argjson mb "$(( kb / 1024 ))" '{($name): $mb}'
  done | jq -s 'add'
}

machine_ticks() { # clock ticks of all CPUs so far, those the hypervisor stole, and those no process wanted (idle and
  # waiting for I/O): "total steal idle"
  awk '$1 == "cpu" {print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9, $5 + $6}' /proc/stat
}

load() { # system seconds [connections shape]: one wrk run (the second shape is "mixed"); prints its result as one JSON
  # line: RSS sampled three quarters into the run, each process's CPU microseconds per request, and the share of the
  # machine's CPU time the hypervisor stole
  local system=$1 seconds=$2 result name
  local -a processes
  read -r -a processes <<<"${processes_of[$system]}"
  declare -A ticks_before=()
  for name in "${processes[@]}"; do ticks_before[$name]=$(cpu_ticks "${pid_of[$name]}"); done
  local machine_before
  machine_before=$(machine_ticks)
  wrk -t1 -c"${3:-$connections}" -d"${seconds}s" --latency -s bench/wrk-report.lua "${url_of[$system]}" -- \
    "${4:-alternate}" >"$work/wrk.out" 2>&1 &
  local wrk_pid=$!
  sleep "$(( seconds * 3 / 4 ))"
  local rss
  rss=$(rss_json "${processes[@]}")
  wait "$wrk_pid" || fail "wrk against $system failed: $(cat "$work/wrk.out")"
  result=$(grep '^{' "$work/wrk.out") || fail "wrk printed no result for $system: $(cat "$work/wrk.out")"
  local requests cpu steal idle
  requests=$(jq .requests <<<"$result")
  cpu=$(for name in "${processes[@]}"; do
    jq -n --arg name "$name" --argjson ticks "$(( $(cpu_ticks "${pid_of[$name]}") - ticks_before[$name] ))" \
      --argjson hz "$clock_hz" --argjson requests "$requests" \
      '{($name): ($ticks * 1e6 / $hz / ([$requests, 1] | max) | round)}'
  done | jq -s 'add')
  read -r steal idle < <(echo "$machine_before $(machine_ticks)" | awk '{total = $4 - $1
    print (total > 0 ? int(100 * ($5 - $2) / total + 0.5) : 0), (total > 0 ? int(100 * ($6 - $3) / total + 0.5) : 0)}')
  jq -c --arg system "$system" --argjson rss "$rss" --argjson cpu "$cpu" --argjson steal "$steal" --argjson idle "$idle" \
    '. + {system: $system, rss_mb: $rss, cpu_us_per_request: $cpu, steal_pct: $steal, idle_pct: $idle}' <<<"$result"
}

echo "== warm-up: ${warmup} s per system"
for system in "${systems[@]}"; do load "$system" "$warmup" >/dev/null; done

measure_rounds() { # file connections shape systems...: each round runs every system once, in a rotated order
  local file=$1 clients=$2 shape=$3 round i system
  shift 3
  local -a names=("$@")
  : >"$file"
  for round in $(seq 1 "$rounds"); do
    for i in "${!names[@]}"; do
      system=${names[$(( (i + round - 1) % ${#names[@]} ))]}
      load "$system" "$duration" "$clients" "$shape" | jq -c --argjson round "$round" '. + {round: $round}' \
        | tee -a "$file" | jq -r '"   round \(.round) \(.system): \(.rps | floor) req/s, p99 \(.p99_ms) ms, \(
          .errors) errors, \(.cpu_us_per_request | add) CPU-us/request, \(.idle_pct) % idle, \(.steal_pct) % stolen"'
    done
  done
}

echo "== $rounds round(s) of ${duration} s per system, wrk -t1 -c$connections"
measure_rounds "$work/runs.jsonl" "$connections" alternate "${systems[@]}"

# The second load shape, reported beside the first and not tuned for: more connections, and a 1 KB POST to the second
# path every other request; berth-prod and the peers, warmed up with it first.
mixed_systems=(berth-prod nginx haproxy caddy) mixed_connections=200
echo "== second load shape: $rounds round(s) of ${duration} s, wrk -t1 -c$mixed_connections, a 1 KB POST every other" \
  "request"
for system in "${mixed_systems[@]}"; do load "$system" "$duration" "$mixed_connections" mixed >/dev/null; done
measure_rounds "$work/mixed.jsonl" "$mixed_connections" mixed "${mixed_systems[@]}"

# ---- report -------------------------------------------------------------------------------------------------------

mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
jq -s --arg mode "$mode" --arg stamp "$stamp" --argjson startup "$startup_json" --arg baseline "$baseline" \
  --arg java "$(java -version 2>&1 | head -n 1)" --arg nginx "$(nginx -v 2>&1)" --arg cpus "$(nproc)" \
  --arg haproxy "$(haproxy -v | head -n 1)" --arg caddy "$(caddy version)" \
  --argjson settings "{\"rounds\":$rounds,\"duration_s\":$duration,\"warmup_s\":$warmup,\"connections\":$connections,\"threads\":1}" \
  --argjson mixed_connections "$mixed_connections" --slurpfile mixed "$work/mixed.jsonl" \
  -f bench/report.jq "$work/runs.jsonl" >"$out/$stamp.json"
cp "$out/$stamp.json" "$out/latest.json"

jq -r -f bench/table.jq "$out/$stamp.json"

jq -r '.systems | to_entries[] | [.key, .value.rps, .value.p99_ms] | @tsv' "$out/$stamp.json" >"$work/chart.tsv"
gnuplot -e "data='$work/chart.tsv'; output='$out/$stamp.png'; subtitle='$(jq -r '.subtitle' "$out/$stamp.json")'" \
  bench/chart.gp
cp "$out/$stamp.png" "$out/latest.png"
echo "results: $out/$stamp.json, chart: $out/$stamp.png"
trap - EXIT
stop_all
rm -rf "$work"
