# Process helpers shared by bench/run.sh and bench/failover.sh; source it after setting `script` (the name in
# messages) and `work` (the directory for logs). The JVMs and servers they start are stopped by stop_all.

read -r -a java_opts <<<"${BENCH_JAVA_OPTS:-}"
declare -A pid_of=()

fail() { echo "$script: $*" >&2; exit 1; }

stop_all() { # SIGTERM to everything started, then SIGKILL to what is still there after 10 s
  for name in "${!pid_of[@]}"; do kill -TERM "${pid_of[$name]}" 2>/dev/null || true; done
  for name in "${!pid_of[@]}"; do
    for _ in $(seq 100); do kill -0 "${pid_of[$name]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pid_of[$name]}" 2>/dev/null || true
  done
}

launch() { # name command...: starts a process in the background, its output in $work/<name>.log
  local name=$1
  shift
  "$@" >"$work/$name.log" 2>&1 </dev/null &
  pid_of[$name]=$!
  disown  # stop_all ends them; the shell need not report each one
}

await_status() { # url expected-body-or-empty timeout-seconds: polls until the URL answers 200 (with that body)
  local deadline=$((SECONDS + $3)) body
  while (( SECONDS < deadline )); do
    if body=$(curl -sf --max-time 2 "$1" 2>/dev/null) && [[ -z "$2" || "$body" == "$2" ]]; then return 0; fi
    sleep 0.05
  done
  for name in "${!pid_of[@]}"; do
    if ! kill -0 "${pid_of[$name]}" 2>/dev/null; then
      echo "$script: $name exited; the end of its log:" >&2
      tail -n 20 "$work/$name.log" >&2
    fi
  done
  fail "$1 did not answer ${2:-200} within $3 s"
}

now_ms() { date +%s%3N; }

median() { # the median of the numbers on standard input, one per line
  sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

berth_node() { # name conf cluster http management hazelcast members: a node with berth's own JVM flags, and the
  # class-data archive made beside its jar (another build's jar would not match target/berth.jsa)
  local jar=${BENCH_JAR:-target/berth.jar} archive=()
  [[ -f "$(dirname "$jar")/berth.jsa" ]] && archive=(-XX:SharedArchiveFile="$(dirname "$jar")/berth.jsa")
  launch "$1" env BERTH_NAME="$1" BERTH_CLUSTER_NAME="$3" BERTH_HTTP_PORT="$4" BERTH_MANAGEMENT_PORT="$5" \
    BERTH_HAZELCAST_PORT="$6" BERTH_CLUSTER_MEMBERS="$7" \
    java @conf/jvm.options "${archive[@]}" "${java_opts[@]}" -jar "$jar" -conf "$2"
}

make_certs() { # the authority and certificates of gateway, worker-first and worker-second in $work/certs
  java -jar "${BENCH_JAR:-target/berth.jar}" certs "$work/certs" gateway worker-first worker-second >/dev/null
}

tls_node() { # name conf cluster http management hazelcast members: berth_node with the certificate of its conf's node
  local node
  node=$(basename "$2" .json)
  BERTH_TLS_CA="$work/certs/ca.pem" BERTH_TLS_CERT="$work/certs/$node.pem" BERTH_TLS_KEY="$work/certs/$node-key.pem" \
    berth_node "$@"
}
