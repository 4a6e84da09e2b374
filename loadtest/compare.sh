#!/usr/bin/env bash
# Benchmarks Strata against Apache Kafka 4.1.2 on this machine, in the same run, with Kafka's own
# perf tools, and writes loadtest/results/latest.md. See loadtest/README.md.
#
#   loadtest/compare.sh                                    # defaults below
#   RECORDS=300000 LAT_RECORDS=20000 ROUNDS=3 loadtest/compare.sh
#
# Environment (defaults in brackets):
#   RECORDS [1000000]      records of the unthrottled produce run, then consumed
#   LAT_RECORDS [50000]    records of the fixed-rate produce run
#   LAT_RATE [5000]        records/s of the fixed-rate run
#   ROUNDS [3]             rounds; each round runs both systems, alternating which goes first
#   WARMUP_RECORDS [3000000] records produced and consumed per system before round 1, not measured, in three
#                  runs on topics of their own (one run leaves the broker's JIT to recompile in round 1)
#   CONSUMER [auto]        auto | assign | group: the consumer perf tool, used for both systems
#                          (auto: Kafka's ConsumerPerformance if Strata serves consumer groups,
#                          else io.strata.loadtest.AssignConsumerPerf)
#   BROKER_JVM_OPTS        JVM options of both brokers [Kafka's kafka-server-start defaults]
#   PROFILE [0]            1: CPU profile of the Strata JVM during each Strata produce and consume run,
#                          hot methods summarised in loadtest/results/profile-latest.txt
#   PROFILER [async]       async: async-profiler 3.0 (from Maven Central, loaded with jcmd
#                          JVMTI.agent_load), jfr: JFR execution samples (few on a busy machine)
#   REPORT [loadtest/results/latest.md]  where the report goes
#   SKIP_BUILD [0]         1: use the jars already built
#   MVN_ARGS []            extra Maven arguments for the build (for example -o)
#
# Everything listens on 127.0.0.1 on free ports; data goes to a temporary directory that is
# removed at the end. Every process the script starts is stopped by its pid on exit, also on
# Ctrl-C. Each tool run has a time limit, so the script always ends.
set -euo pipefail

RECORDS=${RECORDS:-1000000}
LAT_RECORDS=${LAT_RECORDS:-50000}
LAT_RATE=${LAT_RATE:-5000}
ROUNDS=${ROUNDS:-3}
WARMUP_RECORDS=${WARMUP_RECORDS:-3000000}
CONSUMER=${CONSUMER:-auto}
BROKER_JVM_OPTS_SET=${BROKER_JVM_OPTS:+1}
BROKER_JVM_OPTS=${BROKER_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
PROFILE=${PROFILE:-0}
PROFILER=${PROFILER:-async}
SKIP_BUILD=${SKIP_BUILD:-0}
MVN_ARGS=${MVN_ARGS:-}

RECORD_SIZE=1024
PARTITIONS=3
PRODUCER_PROPS=(acks=all linger.ms=5 batch.size=65536)
TOOL_JVM_OPTS=(-Xmx512m)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOADTEST=$ROOT/loadtest
RESULTS=$LOADTEST/results
REPORT=${REPORT:-$RESULTS/latest.md}
# The command that reproduces this run: the three sizes always, other settings when not the default.
COMMAND="RECORDS=$RECORDS LAT_RECORDS=$LAT_RECORDS ROUNDS=$ROUNDS loadtest/compare.sh"
[[ $WARMUP_RECORDS == 3000000 ]] || COMMAND="WARMUP_RECORDS=$WARMUP_RECORDS $COMMAND"
[[ $LAT_RATE == 5000 ]] || COMMAND="LAT_RATE=$LAT_RATE $COMMAND"
[[ $CONSUMER == auto ]] || COMMAND="CONSUMER=$CONSUMER $COMMAND"
[[ -z ${BROKER_JVM_OPTS_SET:-} ]] || COMMAND="BROKER_JVM_OPTS='$BROKER_JVM_OPTS' $COMMAND"
[[ $PROFILE == 1 ]] && COMMAND="PROFILE=1 PROFILER=$PROFILER $COMMAND"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/strata-compare.XXXXXX")
RAW=$WORK/raw
mkdir -p "$RAW" "$RESULTS"
# shellcheck source=loadtest/common.sh
. "$LOADTEST/common.sh"

cleanup_data() {
    rm -rf "$WORK/kafka/data" "$WORK/strata/data"
}

build_all() {
    build
    if [[ $PROFILE == 1 && $PROFILER == async ]]; then
        extract_async_profiler
    fi
}

start_kafka() { # $1: broker port, $2: controller port
    local dir=$WORK/kafka
    mkdir -p "$dir/data"
    cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$2
listeners=PLAINTEXT://127.0.0.1:$1,CONTROLLER://127.0.0.1:$2
advertised.listeners=PLAINTEXT://127.0.0.1:$1
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.segment.delete.delay.ms=0
EOF
    local logging=(-Dlogback.configurationFile="$LOADTEST/conf/logback-kafka.xml" -Dkafka.log.file="$dir/server.log")
    run_java 60 "$dir/format.log" "${logging[@]}" -cp "$CLASSPATH" kafka.tools.StorageTool format \
        -t "$(java -cp "$CLASSPATH" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
        -c "$dir/server.properties" || die "kafka-storage format failed: $(cat "$dir/format.log")"
    # shellcheck disable=SC2086
    java $BROKER_JVM_OPTS "${logging[@]}" -cp "$CLASSPATH" kafka.Kafka "$dir/server.properties" \
        >"$dir/stdout.log" 2>&1 &
    KAFKA_PID=$!
    PIDS+=("$KAFKA_PID")
    wait_for_port "Apache Kafka" "$KAFKA_PID" "$1" "$dir/server.log"
    log "Apache Kafka 4.1.2 (pid $KAFKA_PID) on 127.0.0.1:$1, data in $dir/data"
}

start_strata() { # $1: port
    local dir=$WORK/strata
    mkdir -p "$dir/data"
    # The same initial rebalance delay as the Kafka broker above (ConsumerPerformance counts the
    # rebalance in its MB/s); the embedded S3 server on a free port instead of 9000.
    start_strata_broker "$1" "$dir/data" "$dir/broker.log" STRATA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
        STRATA_S3_EMBEDDED_PORT=0
    log "Strata (pid $STRATA_PID) on 127.0.0.1:$1, data in $dir/data"
}

# Kafka's ConsumerPerformance needs consumer groups; Strata's ApiVersions tells whether it has them.
choose_consumer() {
    if [[ $CONSUMER == auto ]]; then
        CONSUMER=assign
        if tool 60 "$RAW/strata-api-versions.txt" org.apache.kafka.tools.BrokerApiVersionsCommand \
            --bootstrap-server "${BOOTSTRAP[strata]}"; then
            local api missing=0
            for api in FindCoordinator JoinGroup SyncGroup Heartbeat OffsetCommit OffsetFetch; do
                grep -Eq "^\s*$api\([0-9]+\): [0-9]+ to [0-9]+" "$RAW/strata-api-versions.txt" || missing=1
            done
            ((missing)) || CONSUMER=group
        fi
    fi
    case $CONSUMER in
        group) CONSUMER_CLASS=org.apache.kafka.tools.ConsumerPerformance ;;
        assign) CONSUMER_CLASS=io.strata.loadtest.AssignConsumerPerf ;;
        *) die "CONSUMER must be auto, assign or group, not $CONSUMER" ;;
    esac
    log "consumer tool for both systems: $CONSUMER_CLASS"
}

create_topic() { # $1: system, $2: topic
    tool 120 "$RAW/$1-create-$2.txt" org.apache.kafka.tools.TopicCommand --bootstrap-server "${BOOTSTRAP[$1]}" \
        --create --topic "$2" --partitions "$PARTITIONS" --replication-factor 1 \
        || die "creating topic $2 on $1 failed: $(tail -5 "$RAW/$1-create-$2.txt")"
}

delete_topic() { # $1: system, $2: topic; frees the disk between rounds, best effort
    tool 120 "$RAW/$1-delete-$2.txt" org.apache.kafka.tools.TopicCommand --bootstrap-server "${BOOTSTRAP[$1]}" \
        --delete --topic "$2" || log "WARNING: deleting topic $2 on $1 failed (see $RAW/$1-delete-$2.txt)"
}

produce() { # $1: system, $2: topic, $3: records, $4: records/s (-1: unthrottled), $5: output file
    tool $((120 + $3 / 2000)) "$5" org.apache.kafka.tools.ProducerPerformance --topic "$2" --num-records "$3" \
        --record-size "$RECORD_SIZE" --throughput "$4" \
        --producer-props bootstrap.servers="${BOOTSTRAP[$1]}" "${PRODUCER_PROPS[@]}" \
        || log "WARNING: $1 produce run failed (exit $?); see $5"
}

consume() { # $1: system, $2: topic, $3: records, $4: output file
    tool $((120 + $3 / 5000)) "$4" "$CONSUMER_CLASS" --bootstrap-server "${BOOTSTRAP[$1]}" --topic "$2" \
        --messages "$3" --timeout 30000 \
        || log "WARNING: $1 consume run failed (exit $?); see $4"
}

warm_up() { # $1: system; three runs, each on a new topic with a new producer, as the measured runs are
    local pass per=$((WARMUP_RECORDS / 3))
    for pass in 1 2 3; do
        log "$1: warm-up $pass/3, $per records"
        create_topic "$1" "warmup-$pass"
        produce "$1" "warmup-$pass" "$per" -1 "$RAW/$1-warmup-$pass-produce.txt"
        consume "$1" "warmup-$pass" "$per" "$RAW/$1-warmup-$pass-consume.txt"
        delete_topic "$1" "warmup-$pass"
    done
}

# Writes back the page cache's dirty pages (ours and anyone else's) before a measured run, so that
# no run pays for the writeback of the data the one before it wrote.
settle() {
    sync
}

# Runs "$@" (a produce or consume call) with a CPU profile of the Strata JVM around it when
# PROFILE=1 and the system is Strata, written as collapsed stacks ("frame;frame;... count" lines)
# to $WORK/profile/<name>.collapsed. $1: system, $2: recording name, rest: the call.
profiled() {
    local system=$1 name=$2
    shift 2
    if [[ $system != strata || $PROFILE != 1 ]]; then
        "$@"
        return
    fi
    mkdir -p "$WORK/profile"
    if [[ $PROFILER == async ]]; then
        async_profiler_start "$STRATA_PID"
        "$@"
        async_profiler_stop "$STRATA_PID" "$WORK/profile/$name.collapsed"
    else
        jcmd "$STRATA_PID" JFR.start name="$name" settings=profile filename="$WORK/profile/$name.jfr" >/dev/null
        "$@"
        jcmd "$STRATA_PID" JFR.stop name="$name" >/dev/null
        jfr print --events jdk.ExecutionSample "$WORK/profile/$name.jfr" | awk '
            /stackTrace = \[/ { n = 0; inside = 1; next }
            inside && /^[ \t]*\]/ { inside = 0; stack = ""
                for (i = n; i >= 1; i--) stack = stack (i < n ? ";" : "") frames[i]; print stack " 1"; next }
            inside { line = $0; sub(/^[ \t]+/, "", line); sub(/[ \t]+line:.*/, "", line); frames[++n] = line }' \
            >"$WORK/profile/$name.collapsed"
    fi
}

measure() { # $1: system, $2: round
    local system=$1 round=$2 topic=perf-r$2 latency_topic=latency-r$2
    log "round $round, $system: produce $RECORDS records"
    create_topic "$system" "$topic"
    settle
    profiled "$system" "strata-produce-r$round" \
        produce "$system" "$topic" "$RECORDS" -1 "$RAW/$system-r$round-produce.txt"
    log "round $round, $system: $(grep -h 'records sent' "$RAW/$system-r$round-produce.txt" | tail -1)"
    log "round $round, $system: consume $RECORDS records"
    settle
    profiled "$system" "strata-consume-r$round" \
        consume "$system" "$topic" "$RECORDS" "$RAW/$system-r$round-consume.txt"
    log "round $round, $system: $(tail -1 "$RAW/$system-r$round-consume.txt")"
    delete_topic "$system" "$topic"
    log "round $round, $system: $LAT_RECORDS records at $LAT_RATE records/s"
    create_topic "$system" "$latency_topic"
    settle
    produce "$system" "$latency_topic" "$LAT_RECORDS" "$LAT_RATE" "$RAW/$system-r$round-latency.txt"
    log "round $round, $system: $(grep -h 'records sent' "$RAW/$system-r$round-latency.txt" | tail -1)"
    delete_topic "$system" "$latency_topic"
}

# Where the Strata JVM spent its CPU in one kind of run. $1: produce | consume
hot_frames() {
    local stacks=$WORK/profile/all-$1.collapsed
    cat "$WORK"/profile/strata-"$1"-r*.collapsed >"$stacks" 2>/dev/null || true
    local total
    total=$(awk '{ total += $NF } END { print total + 0 }' "$stacks")
    echo "## $1 runs: $total samples"
    echo
    echo "By kind of thread or code:"
    awk -v total="$total" '{ count = $NF; kind = "other"
            if ($0 ~ /CompileBroker/) kind = "JIT compiler threads"
            else if ($0 ~ /G1|GangWorker|WorkerThread::run|ConcurrentGCThread|VMThread/) kind = "GC and VM threads"
            else if ($0 ~ /org\/rocksdb|rocksdb::/) kind = "RocksDB (JNI and its own threads)"
            else if ($0 ~ /io\/strata|io\/netty|io\/vertx/) kind = "broker code (Strata, Vert.x, Netty, their syscalls)"
            else if ($0 ~ /^java\//) kind = "other Java"
            share[kind] += count }
        END { for (kind in share) printf "%6.1f%%  %s\n", 100 * share[kind] / total, kind }' "$stacks" | sort -rn
    echo
    echo "Self (the frame on top of the stack), share of all samples, JIT compiler threads left out:"
    grep -v CompileBroker "$stacks" | awk -v total="$total" '{ count = $NF; stack = substr($0, 1, length($0) - length(count) - 1);
            n = split(stack, frames, ";"); self[frames[n]] += count }
        END { for (frame in self) printf "%6.1f%%  %s\n", 100 * self[frame] / total, frame }' \
        | sort -rn | head -30
    echo
    echo "Inclusive (anywhere in the stack), Strata, Netty/Vert.x, RocksDB and file-channel frames:"
    awk -v total="$total" '{ count = $NF; stack = substr($0, 1, length($0) - length(count) - 1);
            n = split(stack, frames, ";"); delete seen
            for (i = 1; i <= n; i++) if (frames[i] ~ /io[.\/]strata|RocksDB|FileChannelImpl|EPoll|writev|NioSocketImpl|SocketDispatcher/ && frames[i] !~ /\$\$Lambda/ && !(frames[i] in seen)) {
                seen[frames[i]] = 1; inclusive[frames[i]] += count } }
        END { for (frame in inclusive) printf "%6.1f%%  %s\n", 100 * inclusive[frame] / total, frame }' "$stacks" \
        | sort -rn | head -40
    echo
}

summarise_profile() {
    local out=$RESULTS/profile-latest.txt
    {
        echo "# Strata JVM: CPU profile ($PROFILER) during its produce and consume runs"
        echo "# $COMMAND, $(date -u +%FT%TZ)"
        echo
        hot_frames produce
        hot_frames consume
    } >"$out"
    log "profile summary in $out"
}

write_report() {
    local out=$REPORT commit
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    git -C "$ROOT" diff --quiet HEAD -- . ':!loadtest/results' ':!*.md' 2>/dev/null || commit="$commit (with uncommitted changes)"
    {
        echo "# Strata vs Apache Kafka 4.1.2 on one machine"
        echo
        echo "- Command: \`$COMMAND\` (from the repository root)"
        echo "- Date: $START_DATE to $(date -u +%FT%TZ)"
        echo "- Machine: $(machine); load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
        echo "- Strata: commit $commit, \`java -jar broker-vertx/target/strata-broker.jar\` with defaults but" \
            "\`group.initial.rebalance.delay.ms=0\` (as the Kafka broker) and the embedded S3 server on a free port"
        echo "- Apache Kafka 4.1.2: KRaft, one combined broker+controller, defaults but \`log.segment.delete.delay.ms=0\` (deleted topics' files go at once, as Strata's do, not a minute later during another run), jars from Maven Central"
        echo "- Both brokers: \`$BROKER_JVM_OPTS\`; both run during the whole benchmark; rounds alternate which system goes first"
        echo "- Workload: a topic with $PARTITIONS partitions per run, $RECORD_SIZE-byte records, producer \`${PRODUCER_PROPS[*]}\`;"
        echo "  throughput run: \`ProducerPerformance --num-records $RECORDS --throughput -1\`;"
        echo "  fixed-rate run: \`ProducerPerformance --num-records $LAT_RECORDS --throughput $LAT_RATE\`;"
        echo "  consume: the $RECORDS records of the throughput run with \`$CONSUMER_CLASS\`;"
        echo "  warm-up: $WARMUP_RECORDS records produced and consumed per system before round 1, in three runs"
        echo "- MB is MiB (1024 × 1024 bytes), as the Kafka tools print it; latencies are ProducerPerformance's, from send() to acknowledgement"
        echo
        java -cp "$CLASSPATH" io.strata.loadtest.CompareReport --raw-dir "$RAW" --rounds "$ROUNDS"
    } >"$out"
    echo
    cat "$out"
}

START_DATE=$(date -u +%FT%TZ)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
build_all
mapfile -t PORTS < <(java -cp "$CLASSPATH" io.strata.loadtest.FreePorts 3)
declare -A BOOTSTRAP=([kafka]="127.0.0.1:${PORTS[0]}" [strata]="127.0.0.1:${PORTS[2]}")
start_kafka "${PORTS[0]}" "${PORTS[1]}"
start_strata "${PORTS[2]}"
choose_consumer
for system in kafka strata; do
    warm_up "$system"
done
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order=(kafka strata); else order=(strata kafka); fi
    for system in "${order[@]}"; do
        measure "$system" "$round"
    done
done
[[ $PROFILE == 1 ]] && summarise_profile
write_report
