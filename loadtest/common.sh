# shellcheck shell=bash
# Shell functions shared by compare.sh and catchup.sh; sourced, not run. The sourcing script sets
# ROOT, LOADTEST, WORK, SKIP_BUILD, MVN_ARGS and TOOL_JVM_OPTS first, and defines cleanup_data
# (what to delete on exit). Every process started through these functions is recorded in PIDS and
# stopped by its pid on exit, Ctrl-C included.

STRATA_JAR=$ROOT/broker-vertx/target/strata-broker.jar
CLASSPATH_FILE=$LOADTEST/target/classpath.txt
PIDS=()

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

stop_pids() {
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if ((${#PIDS[@]})); then
        log "stopping processes ${PIDS[*]}"
        stop_pids "${PIDS[@]}"
    fi
    cleanup_data
    log "logs and raw tool output kept in $WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget_pid() {
    local kept=() p
    for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
    PIDS=(${kept[@]+"${kept[@]}"})
}

# Runs a JVM in the background and waits for it, so that a signal reaches the trap at once and the
# trap stops it by pid. $1: time limit in seconds, $2: output file, the rest: java arguments.
run_java() {
    local limit=$1 out=$2 status=0
    shift 2
    timeout --kill-after=10 "$limit" java "$@" >"$out" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    wait "$pid" || status=$?
    forget_pid "$pid"
    return "$status"
}

tool() { # $1: limit, $2: output file, rest: main class and arguments
    local limit=$1 out=$2
    shift 2
    run_java "$limit" "$out" "${TOOL_JVM_OPTS[@]}" -Dlogback.configurationFile="$LOADTEST/conf/logback-tools.xml" \
        -cp "$CLASSPATH" "$@"
}

wait_for_port() { # $1: name, $2: pid, $3: port, $4: log file
    local deadline=$((SECONDS + 90))
    until (exec 3<>"/dev/tcp/127.0.0.1/$3") 2>/dev/null; do
        kill -0 "$2" 2>/dev/null || die "$1 exited while starting; its log: $4"
        ((SECONDS < deadline)) || die "$1 did not listen on 127.0.0.1:$3 within 90 s; its log: $4"
        sleep 0.2
    done
}

# Starts the Strata broker jar in the background (BROKER_JVM_OPTS) and waits until it listens; sets
# STRATA_PID. $1: port, $2: data directory, $3: log file, rest: more NAME=value environment settings.
start_strata_broker() {
    local port=$1 data=$2 out=$3
    shift 3
    # shellcheck disable=SC2086
    # STRATA_HTTP_PORT=0: metrics on any free port, so that a broker already on 9464 does not clash
    env STRATA_LISTENERS="PLAINTEXT://127.0.0.1:$port" STRATA_LOG_DIRS="$data" STRATA_HTTP_PORT=0 "$@" \
        java $BROKER_JVM_OPTS -jar "$STRATA_JAR" >"$out" 2>&1 &
    STRATA_PID=$!
    PIDS+=("$STRATA_PID")
    wait_for_port "Strata" "$STRATA_PID" "$port" "$out"
}

# Builds the broker jar and loadtest/target/classpath.txt (Kafka's server and tools jars) unless
# SKIP_BUILD=1, and sets CLASSPATH (the loadtest helpers plus that classpath).
build() {
    if [[ $SKIP_BUILD == 1 ]]; then
        log "SKIP_BUILD=1: using the jars already built"
    else
        log "building the broker jar and the loadtest classpath"
        # shellcheck disable=SC2086
        (cd "$ROOT" && mvn -q -B -DskipTests $MVN_ARGS package -pl broker-vertx,loadtest -am)
    fi
    [[ -f $STRATA_JAR && -f $CLASSPATH_FILE ]] || die "missing $STRATA_JAR or $CLASSPATH_FILE; run without SKIP_BUILD"
    CLASSPATH="$LOADTEST/target/classes:$(cat "$CLASSPATH_FILE")"
}

# Extracts async-profiler's library for this machine from its jar on the loadtest classpath and sets
# ASYNC_PROFILER_LIB; the scripts load it into the running broker with jcmd JVMTI.agent_load.
extract_async_profiler() {
    local jar platform
    jar=$(tr ':' '\n' <"$CLASSPATH_FILE" | grep '/async-profiler-[^/]*\.jar$' | head -1)
    platform=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
    (cd "$WORK" && jar xf "$jar" "$platform/libasyncProfiler.so")
    ASYNC_PROFILER_LIB=$WORK/$platform/libasyncProfiler.so
    [[ -f $ASYNC_PROFILER_LIB ]] || die "no async-profiler library for $platform in $jar; try PROFILER=jfr"
}

# CPU samples every millisecond, kernel frames included. $1: pid. jcmd reads name=value pairs: the
# agent's options go in quotes so that they stay one argument.
async_profiler_start() {
    jcmd "$1" JVMTI.agent_load "$ASYNC_PROFILER_LIB" '"start,event=cpu,interval=1ms"' >/dev/null
}

# Stops the profile and writes collapsed stacks ("frame;frame;... count" lines). $1: pid, $2: file
async_profiler_stop() {
    jcmd "$1" JVMTI.agent_load "$ASYNC_PROFILER_LIB" "\"stop,collapsed,file=$2\"" >/dev/null
}

# CPU seconds (user + system) a live process has used so far, from /proc/<pid>/stat. $1: pid
cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# CPU seconds the JIT compiler threads of a live JVM have used so far. $1: pid
jit_cpu_seconds() {
    local task total=0
    for task in /proc/"$1"/task/*; do
        case $(cat "$task/comm" 2>/dev/null) in
            C1\ CompilerThre* | C2\ CompilerThre*) total=$(awk -v t="$total" -v hz="$(getconf CLK_TCK)" \
                '{ sub(/.*\) /, ""); printf "%.2f", t + ($12 + $13) / hz }' "$task/stat" 2>/dev/null || echo "$total") ;;
        esac
    done
    echo "$total"
}

machine() {
    local cpu mem
    cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || echo unknown)
    mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1024 / 1024 }' /proc/meminfo)
    echo "$(nproc) cores (nproc), $mem memory, $cpu"
}
