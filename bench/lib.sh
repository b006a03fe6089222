# Process helpers shared by the bench/ scripts; source it after setting `script` (the name in
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

await_status() { # url expected-body-or-empty timeout-seconds: polls until the URL answers 200 (with that body);
  # an https URL's certificate is not checked (the benchmark's own)
  local deadline=$((SECONDS + $3)) body
  while (( SECONDS < deadline )); do
    if body=$(curl -sfk --max-time 2 "$1" 2>/dev/null) && [[ -z "$2" || "$body" == "$2" ]]; then return 0; fi
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

require_jars() { # jar [baseline-jar]: fails with one line for a jar that is missing
  [[ -f "$1" ]] || fail "$1 is missing: run mvn -B package -DskipTests"
  [[ -z "${2:-}" || -f "$2" ]] || fail "the baseline jar $2 is missing"
}

keep_logs_on_failure() { # on an exit before `trap - EXIT`: stops what was started and says where the logs are
  trap 'stop_all; echo "$script: failed; the logs of this run are in $work" >&2' EXIT
}

alternate_builds() { # runs this-jar baseline-jar-or-empty measure describe: every run measures this build, then the
  # baseline, so that drift hits both alike. `measure jar label` prints a run's numbers, `describe numbers...` says them
  # in words; each run's line goes to $work/runs for build_median. Sets `builds`: this, and baseline if given.
  local runs=$1 this=$2 baseline=$3 measure=$4 describe=$5 run build jar numbers
  builds=(this)
  [[ -n "$baseline" ]] && builds+=(baseline)
  : >"$work/runs"
  for run in $(seq 1 "$runs"); do
    for build in "${builds[@]}"; do
      jar=$this
      [[ $build == baseline ]] && jar=$baseline
      numbers=$("$measure" "$jar" "$build-$run")
      echo "   run $run $build ($jar): $("$describe" $numbers)"
      echo "$build $numbers" >>"$work/runs"
    done
  done
}

build_median() { # build n: the median over alternate_builds' runs of the build's n-th number
  awk -v b="$1" -v n="$(( $2 + 1 ))" '$1 == b {print $n}' "$work/runs" | median
}

now_ms() { date +%s%3N; }

median() { # the median of the numbers on standard input, one per line
  sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

berth_node() { # name conf cluster http management hazelcast members: a node with its build's JVM flags (the
  # conf/jvm.options of the checkout its jar was built in, so that a baseline keeps its own) and the class-data archive
  # made beside its jar (another build's jar would not match target/berth.jsa)
  local jar=${BENCH_JAR:-target/berth.jar} archive=() options
  options=$(dirname "$jar")/../conf/jvm.options
  [[ -f "$options" ]] || options=conf/jvm.options
  [[ -f "$(dirname "$jar")/berth.jsa" ]] && archive=(-XX:SharedArchiveFile="$(dirname "$jar")/berth.jsa")
  launch "$1" env BERTH_NAME="$1" BERTH_CLUSTER_NAME="$3" BERTH_HTTP_PORT="$4" BERTH_MANAGEMENT_PORT="$5" \
    BERTH_HAZELCAST_PORT="$6" BERTH_CLUSTER_MEMBERS="$7" \
    java @"$options" "${archive[@]}" "${java_opts[@]}" -jar "$jar" -conf "$2"
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
