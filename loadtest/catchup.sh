#!/usr/bin/env bash
# Cold catch-up from the bucket: one consumer reads, from offset 0, records that live only in the
# bucket, through a broker whose chunk cache is empty, and the figure is compared with the raw
# ranged-GET throughput of the same S3 server. Writes loadtest/results/catchup-latest.md. See
# loadtest/README.md.
#
#   loadtest/catchup.sh                       # defaults below
#   DATA_MB=1024 MODE=stateless loadtest/catchup.sh
#
# Environment (defaults in brackets):
#   DATA_MB [2048]         MiB of 1 KiB records produced (and so roughly the data tiered)
#   PARTITIONS [1]         partitions of the topic
#   SEGMENT_BYTES []       the topic's segment.bytes; empty: the broker default (512 MiB)
#   MODE [restart]         restart: stop the broker and start it again on the same data directory
#                          (same RocksDB, same bucket, empty chunk cache);
#                          stateless: also delete everything in the data directory but the embedded
#                          S3 server's folder (RocksDB and segment files), so the broker rebuilds
#                          from the bucket before the consumer starts
#   RAW_ROUNDS [2]         passes of the raw ranged-GET measurement per in-flight count (best is used)
#   WARMUP_MB [1100]       MiB tiered to a second topic (same segment size, so two sealed segments by
#                          default) and read back from the bucket by the restarted broker before the
#                          measured read, so that the measurement sees a cold cache (the measured
#                          topic's chunks were never loaded) but not a cold JVM; 0: none
#   WARMUP_ROUNDS [3]      times the warm-up topic is read (it is larger than the chunk cache, so
#                          every round reads it from the bucket again): with one round (6 s) the
#                          broker's JIT compiler still used a third of its CPU during the measured read
#   BASELINE [1]           1: afterwards the same amount is produced to a topic with
#                          remote.storage.enable=false and read back from the local tier, the ceiling
#                          of one consumer on one partition here; 0: skip it
#   BROKER_JVM_OPTS        JVM options of the broker [Kafka's kafka-server-start defaults]
#   FETCH_BYTES [1048576]  the consumer's max.partition.fetch.bytes (1 MiB: ConsumerPerformance's)
#   DRAIN [1]              1: afterwards the broker is restarted again (cold cache, warmed JVM) and
#                          FetchDrain reads the same records with plain Fetch requests, parsing only
#                          batch headers: what the broker serves from the bucket when the consumer's
#                          CPU is not on this machine's 2 cores; 0: skip it
#   EMULATE_S3 []          MIBPS:MS, e.g. 80:20: instead of the broker's embedded S3 server, the same
#                          server runs as a process of its own behind ThrottledProxy, which gives
#                          each connection a first byte MS ms after each request and at most MIBPS
#                          MiB/s (roughly what one GET connection to AWS S3 gets); the brokers and
#                          the raw measurement all go through the proxy. Empty: the embedded server,
#                          reached directly, where the 2 shared cores are what limits
#   PROFILE [0]            1: async-profiler CPU profile of the broker during each consume and the drain,
#                          collapsed stacks in the work directory
#   REPORT [loadtest/results/catchup-latest.md]  where the report goes
#   SKIP_BUILD [0]         1: use the jars already built
#   MVN_ARGS []            extra Maven arguments for the build (for example -o)
#
# Everything listens on 127.0.0.1 on free ports; data goes to a temporary directory that is removed
# at the end. Every process the script starts is stopped by its pid on exit, also on Ctrl-C. Each
# step has a time limit, so the script always ends.
set -euo pipefail

DATA_MB=${DATA_MB:-2048}
PARTITIONS=${PARTITIONS:-1}
SEGMENT_BYTES=${SEGMENT_BYTES:-}
MODE=${MODE:-restart}
RAW_ROUNDS=${RAW_ROUNDS:-2}
WARMUP_MB=${WARMUP_MB:-1100}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-3}
BASELINE=${BASELINE:-1}
DRAIN=${DRAIN:-1}
EMULATE_S3=${EMULATE_S3:-}
FETCH_BYTES=${FETCH_BYTES:-1048576}
BROKER_JVM_OPTS_SET=${BROKER_JVM_OPTS:+1}
BROKER_JVM_OPTS=${BROKER_JVM_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}
PROFILE=${PROFILE:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
MVN_ARGS=${MVN_ARGS:-}

RECORD_SIZE=1024
CHUNK_BYTES=$((4 * 1024 * 1024)) # the broker's remote.fetch.chunk.bytes default, which this script keeps
TOPIC=catchup
LOCAL_TOPIC=catchup-local
WARMUP_TOPIC=catchup-warmup
WARMUP_BYTES=0
PRODUCER_PROPS=(acks=all linger.ms=5 batch.size=65536)
TOOL_JVM_OPTS=(-Xmx512m)
# The broker checks often, so that uploads and local deletions follow the produce within seconds.
TASK_INTERVAL_MS=1000

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOADTEST=$ROOT/loadtest
RESULTS=$LOADTEST/results
REPORT=${REPORT:-$RESULTS/catchup-latest.md}
COMMAND="DATA_MB=$DATA_MB MODE=$MODE loadtest/catchup.sh"
[[ $PARTITIONS == 1 ]] || COMMAND="PARTITIONS=$PARTITIONS $COMMAND"
[[ -z $SEGMENT_BYTES ]] || COMMAND="SEGMENT_BYTES=$SEGMENT_BYTES $COMMAND"
[[ $RAW_ROUNDS == 2 ]] || COMMAND="RAW_ROUNDS=$RAW_ROUNDS $COMMAND"
[[ $WARMUP_MB == 1100 ]] || COMMAND="WARMUP_MB=$WARMUP_MB $COMMAND"
[[ $WARMUP_ROUNDS == 3 ]] || COMMAND="WARMUP_ROUNDS=$WARMUP_ROUNDS $COMMAND"
[[ $BASELINE == 1 ]] || COMMAND="BASELINE=$BASELINE $COMMAND"
[[ $DRAIN == 1 ]] || COMMAND="DRAIN=$DRAIN $COMMAND"
[[ -z $EMULATE_S3 ]] || COMMAND="EMULATE_S3=$EMULATE_S3 $COMMAND"
[[ $FETCH_BYTES == 1048576 ]] || COMMAND="FETCH_BYTES=$FETCH_BYTES $COMMAND"
[[ -z ${BROKER_JVM_OPTS_SET:-} ]] || COMMAND="BROKER_JVM_OPTS='$BROKER_JVM_OPTS' $COMMAND"
[[ $PROFILE == 1 ]] && COMMAND="PROFILE=1 $COMMAND"
[[ $MODE == restart || $MODE == stateless ]] || { echo "MODE must be restart or stateless, not $MODE" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/strata-catchup.XXXXXX")
RAW=$WORK/raw
DATA=$WORK/data
mkdir -p "$RAW" "$RESULTS" "$DATA"
# shellcheck source=loadtest/common.sh
. "$LOADTEST/common.sh"

cleanup_data() {
    [[ -f $S3_LOG ]] && cp "$S3_LOG" "$WORK/s3.log"
    rm -rf "$DATA"
}

start_broker() { # $1: name of its log file (in $WORK)
    start_strata_broker "$KAFKA_PORT" "$DATA" "$WORK/$1" "${S3_ENV[@]}" \
        STRATA_REMOTE_LOG_MANAGER_TASK_INTERVAL_MS=$TASK_INTERVAL_MS \
        STRATA_LOG_RETENTION_CHECK_INTERVAL_MS=$TASK_INTERVAL_MS
    log "Strata (pid $STRATA_PID) on 127.0.0.1:$KAFKA_PORT, $S3_DESCRIPTION, data in $DATA"
}

# SIGTERM, then waits (up to 120 s) for the clean shutdown, which logs the final "Remote tier:" line.
stop_broker() {
    kill "$STRATA_PID" 2>/dev/null || true
    local deadline=$((SECONDS + 120))
    while kill -0 "$STRATA_PID" 2>/dev/null; do
        ((SECONDS < deadline)) || { log "WARNING: broker $STRATA_PID still running after 120 s, killing it"; kill -9 "$STRATA_PID"; }
        sleep 0.2
    done
    wait "$STRATA_PID" 2>/dev/null || true
    forget_pid "$STRATA_PID"
    log "Strata (pid $STRATA_PID) stopped"
}

create_topic() { # $1: topic, rest: its configs as name=value
    local topic=$1 configs=() config
    shift
    for config in "$@"; do configs+=(--config "$config"); done
    [[ -z $SEGMENT_BYTES ]] || configs+=(--config "segment.bytes=$SEGMENT_BYTES")
    tool 120 "$RAW/create-$topic.txt" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
        --create --topic "$topic" --partitions "$PARTITIONS" --replication-factor 1 "${configs[@]}" \
        || die "creating topic $topic failed: $(tail -5 "$RAW/create-$topic.txt")"
}

produce() { # $1: topic, $2: MiB [DATA_MB]
    local mb=${2:-$DATA_MB}
    local records=$((mb * 1024))
    log "producing $mb MiB to $1: $records records of $RECORD_SIZE bytes"
    tool $((120 + records / 2000)) "$RAW/produce-$1.txt" org.apache.kafka.tools.ProducerPerformance --topic "$1" \
        --num-records "$records" --record-size "$RECORD_SIZE" --throughput -1 \
        --producer-props bootstrap.servers="$BOOTSTRAP" "${PRODUCER_PROPS[@]}" \
        || die "produce run failed; see $RAW/produce-$1.txt"
    log "$(grep -h 'records sent' "$RAW/produce-$1.txt" | tail -1)"
}

# "Copied segment 0 of catchup-0 to the bucket (536870830 bytes, offsets 0 to 521012) in 3140 ms"
copied_segments() { # $1: topic [TOPIC]; prints "partition size last-offset" per uploaded segment
    grep -ho "Copied segment [0-9]* of ${1:-$TOPIC}-[0-9]* to the bucket ([0-9]* bytes, offsets [0-9]* to [0-9]*)" \
        "$WORK/broker-1.log" | sed -E 's/.* of [^ ]*-([0-9]+) to the bucket \(([0-9]+) bytes, offsets [0-9]+ to ([0-9]+)\)/\1 \2 \3/' || true
}

local_segment_files() { # $1: topic [TOPIC]; *.log files left in the topic's partition directories
    find "$DATA" -maxdepth 2 -path "$DATA/${1:-$TOPIC}-[0-9]*/*" -name '*.log' | wc -l
}

# Waits until the warm-up topic's sealed segments are in the bucket and gone from the local disk,
# and sets WARMUP_RECORDS to the number of its records in the bucket.
wait_for_warmup_tiering() {
    local deadline=$((SECONDS + 300 + WARMUP_MB / 4))
    until (($(local_segment_files "$WARMUP_TOPIC") <= PARTITIONS && $(copied_segments "$WARMUP_TOPIC" | wc -l) > 0)); do
        ((SECONDS < deadline)) || die "the warm-up topic was not tiered in time; see $WORK/broker-1.log"
        sleep 1
    done
    WARMUP_BYTES=$(copied_segments "$WARMUP_TOPIC" | awk '{ bytes += $2 } END { print bytes + 0 }')
    WARMUP_RECORDS=$(copied_segments "$WARMUP_TOPIC" | awk '{ if (!($1 in last) || $3 > last[$1]) last[$1] = $3 }
        END { for (p in last) records += last[p] + 1; print records + 0 }')
}

# The restarted broker reads the warm-up topic from the bucket, so that the JIT has compiled the
# remote read path before the measured topic (whose chunks it has never loaded) is read.
warm_up() {
    ((WARMUP_MB > 0)) || return 0
    local round
    for round in $(seq 1 "$WARMUP_ROUNDS"); do
        log "warming the broker's JVM up ($round of $WARMUP_ROUNDS): $WARMUP_RECORDS records of $WARMUP_TOPIC from the bucket"
        tool $((300 + WARMUP_RECORDS / 2000)) "$RAW/consume-$WARMUP_TOPIC.txt" io.strata.loadtest.AssignConsumerPerf \
            --bootstrap-server "$BOOTSTRAP" --topic "$WARMUP_TOPIC" --messages "$WARMUP_RECORDS" --timeout 30000 \
            --max-partition-fetch-bytes "$FETCH_BYTES" \
            || die "the warm-up consume failed; see $RAW/consume-$WARMUP_TOPIC.txt"
        log "warm-up: $(tail -1 "$RAW/consume-$WARMUP_TOPIC.txt")"
    done
}

# Waits until every sealed segment is in the bucket and its local copy is gone: one .log file (the
# active segment) per partition, and at least one segment copied.
wait_for_tiering() {
    local deadline=$((SECONDS + 300 + DATA_MB / 4)) files copied
    while true; do
        files=$(local_segment_files)
        copied=$(copied_segments | wc -l)
        if ((files <= PARTITIONS && copied > 0)); then
            break
        fi
        ((SECONDS < deadline)) || die "tiering did not finish in time: $files local .log files, $copied segments copied; see $WORK/broker-1.log"
        kill -0 "$STRATA_PID" 2>/dev/null || die "the broker exited; see $WORK/broker-1.log"
        sleep 1
    done
    TIERED_SEGMENTS=$copied
    TIERED_BYTES=$(copied_segments | awk '{ bytes += $2 } END { print bytes + 0 }')
    # offsets start at 0, so the records in the bucket are one past each partition's last tiered offset
    TIERED_RECORDS=$(copied_segments | awk '{ if (!($1 in last) || $3 > last[$1]) last[$1] = $3 }
        END { for (p in last) records += last[p] + 1; print records + 0 }')
    log "tiered: $TIERED_SEGMENTS segments, $TIERED_BYTES bytes, $TIERED_RECORDS records; $files local .log file(s) left (active segments)"
    (export STRATA_LOG_DIRS="$DATA" "${S3_ENV[@]}"
        run_java 120 "$RAW/inspect-list.txt" "${TOOL_JVM_OPTS[@]}" -jar "$STRATA_JAR" inspect list --segments) \
        || log "WARNING: inspect list failed; see $RAW/inspect-list.txt"
}

# The last "Remote tier:" line of a broker log, as "copied-bytes puts fetched-bytes gets".
remote_tier_counts() { # $1: broker log
    grep -h 'Remote tier: ' "$1" | tail -1 | sed -E 's/.*copied ([0-9]+) bytes in ([0-9]+) PUTs.*fetched ([0-9]+) bytes .* with ([0-9]+) ranged GETs.*/\1 \2 \3 \4/'
}

make_cache_cold() { # $1: log file of the new broker [broker-2.log]
    stop_broker
    if [[ $MODE == stateless ]]; then
        log "stateless: deleting the data directory but the embedded S3 server's folder (s3/, s3.conf, s3.log)"
        find "$DATA" -mindepth 1 -maxdepth 1 ! -name s3 ! -name s3.conf ! -name s3.log -exec rm -rf {} +
    fi
    start_broker "${1:-broker-2.log}"
}

# The S3 server (S3Proxy): the java child process of the broker, or of S3ServerMain with EMULATE_S3.
s3_server_pid() {
    pgrep -P "${S3_MAIN_PID:-$STRATA_PID}" java | head -1 || true
}

# Sets S3_ENV (the broker's S3 settings), S3_CLIENT_PORT (where clients of the bucket connect),
# S3_LOG and S3_DESCRIPTION; with EMULATE_S3, first starts the S3 server and ThrottledProxy.
setup_s3() {
    if [[ -z $EMULATE_S3 ]]; then
        S3_ENV=(STRATA_S3_EMBEDDED_PORT="$S3_PORT")
        S3_CLIENT_PORT=$S3_PORT
        S3_LOG=$DATA/s3.log
        S3_DESCRIPTION="embedded S3 server on 127.0.0.1:$S3_PORT"
        return
    fi
    local mibps=${EMULATE_S3%%:*} first_byte_ms=${EMULATE_S3##*:}
    mkdir -p "$WORK/s3server"
    S3_LOG=$WORK/s3server/s3.log
    java "${TOOL_JVM_OPTS[@]}" -cp "$LOADTEST/target/classes:$STRATA_JAR" io.strata.loadtest.S3ServerMain \
        --dir "$WORK/s3server/s3" --port "$S3_PORT" >"$WORK/s3server-main.log" 2>&1 &
    S3_MAIN_PID=$!
    PIDS+=("$S3_MAIN_PID")
    wait_for_port "S3 server" "$S3_MAIN_PID" "$S3_PORT" "$WORK/s3server-main.log"
    java "${TOOL_JVM_OPTS[@]}" -cp "$LOADTEST/target/classes" io.strata.loadtest.ThrottledProxy \
        --listen-port "$PROXY_PORT" --target-port "$S3_PORT" --mib-per-second "$mibps" \
        --first-byte-ms "$first_byte_ms" >"$WORK/proxy.log" 2>&1 &
    PROXY_PID=$!
    PIDS+=("$PROXY_PID")
    wait_for_port "ThrottledProxy" "$PROXY_PID" "$PROXY_PORT" "$WORK/proxy.log"
    S3_CLIENT_PORT=$PROXY_PORT
    S3_ENV=(STRATA_S3_ENDPOINT="http://127.0.0.1:$PROXY_PORT" STRATA_S3_BUCKET=strata STRATA_S3_REGION=us-east-1
        STRATA_S3_ACCESS_KEY=strata STRATA_S3_SECRET_KEY=strata-secret STRATA_S3_PATH_STYLE=true)
    S3_DESCRIPTION="emulated S3: S3Proxy (pid $S3_MAIN_PID's child) on 127.0.0.1:$S3_PORT behind ThrottledProxy on 127.0.0.1:$PROXY_PORT ($mibps MiB/s per connection, first byte after $first_byte_ms ms)"
    log "$S3_DESCRIPTION"
}

raw_ranged_gets() {
    log "raw ranged GETs of the same segment objects, $CHUNK_BYTES-byte ranges, 1 and 2 in flight"
    run_java 1800 "$RAW/raw-get.txt" "${TOOL_JVM_OPTS[@]}" -cp "$LOADTEST/target/classes:$STRATA_JAR" \
        io.strata.loadtest.BucketReadThroughput --endpoint "http://127.0.0.1:$S3_CLIENT_PORT" --prefix topics/ \
        --server-pid "$(s3_server_pid)" \
        --chunk-bytes "$CHUNK_BYTES" --in-flight 1,2 --rounds "$RAW_ROUNDS" \
        || die "the raw ranged-GET measurement failed; see $RAW/raw-get.txt"
    grep '^in-flight=' "$RAW/raw-get.txt" >&2
}

best_raw() { # $1: in-flight count; the best MiB/s of its rounds
    grep "^in-flight=$1 " "$RAW/raw-get.txt" | sed -E 's/.*MiB\/s=([0-9.]+).*/\1/' | sort -rn | head -1
}

# CPU seconds of the broker and its S3 server during each consume (with the consumer JVM's start and
# stop) and of the consumer's own consume loop, in "$RAW/cpu-<topic>.txt" as "broker s3 consumer
# broker-jit" (broker-jit: the part of the broker's that its JIT compiler threads used).
consume() { # $1: topic
    log "consuming $TIERED_RECORDS records of $1 from offset 0 with AssignConsumerPerf"
    [[ $PROFILE == 1 ]] && async_profiler_start "$STRATA_PID"
    local s3_pid broker_cpu s3_cpu jit_cpu
    s3_pid=$(s3_server_pid)
    broker_cpu=$(cpu_seconds "$STRATA_PID")
    jit_cpu=$(jit_cpu_seconds "$STRATA_PID")
    s3_cpu=$(cpu_seconds "$s3_pid")
    tool $((300 + TIERED_RECORDS / 2000)) "$RAW/consume-$1.txt" io.strata.loadtest.AssignConsumerPerf \
        --bootstrap-server "$BOOTSTRAP" --topic "$1" --messages "$TIERED_RECORDS" --timeout 30000 \
        --max-partition-fetch-bytes "$FETCH_BYTES" \
        || die "the consume run failed; see $RAW/consume-$1.txt"
    awk -v b0="$broker_cpu" -v b1="$(cpu_seconds "$STRATA_PID")" -v s0="$s3_cpu" -v s1="$(cpu_seconds "$s3_pid")" \
        -v c="$(sed -n 's/^cpu-s=//p' "$RAW/consume-$1.txt")" -v j0="$jit_cpu" -v j1="$(jit_cpu_seconds "$STRATA_PID")" \
        'BEGIN { printf "%.2f %.2f %.2f %.2f\n", b1 - b0, s1 - s0, c, j1 - j0 }' >"$RAW/cpu-$1.txt"
    if [[ $PROFILE == 1 ]]; then
        async_profiler_stop "$STRATA_PID" "$WORK/consume-$1.collapsed"
        log "profile of the broker during the consume: $WORK/consume-$1.collapsed"
    fi
    log "$(tail -1 "$RAW/consume-$1.txt")"
}

# The measured topic again, from a cold cache, read by FetchDrain (a client that only reads batch
# headers), with the CPU figures in "$RAW/cpu-drain.txt" as "broker s3 client broker-jit".
drain() {
    [[ $DRAIN == 1 ]] || return 0
    make_cache_cold broker-3.log
    warm_up
    local s3_pid broker_cpu s3_cpu jit_cpu partition end
    log "reading $TOPIC again from a cold cache with FetchDrain (plain Fetch requests, batch headers only)"
    s3_pid=$(s3_server_pid)
    broker_cpu=$(cpu_seconds "$STRATA_PID")
    jit_cpu=$(jit_cpu_seconds "$STRATA_PID")
    s3_cpu=$(cpu_seconds "$s3_pid")
    : >"$RAW/drain.txt"
    [[ $PROFILE == 1 ]] && async_profiler_start "$STRATA_PID"
    while read -r partition end; do
        tool 600 "$RAW/drain-$partition.txt" io.strata.loadtest.FetchDrain --bootstrap-server "$BOOTSTRAP" \
            --topic "$TOPIC" --partition "$partition" --end-offset "$((end + 1))" \
            --max-partition-fetch-bytes "$FETCH_BYTES" || die "FetchDrain failed; see $RAW/drain-$partition.txt"
        tail -1 "$RAW/drain-$partition.txt" >>"$RAW/drain.txt"
    done < <(copied_segments | awk '{ if (!($1 in last) || $3 > last[$1]) last[$1] = $3 } END { for (p in last) print p, last[p] }')
    if [[ $PROFILE == 1 ]]; then
        async_profiler_stop "$STRATA_PID" "$WORK/drain-$TOPIC.collapsed"
        log "profile of the broker during the FetchDrain read: $WORK/drain-$TOPIC.collapsed"
    fi
    awk -v b0="$broker_cpu" -v b1="$(cpu_seconds "$STRATA_PID")" -v s0="$s3_cpu" -v s1="$(cpu_seconds "$s3_pid")" \
        -v j0="$jit_cpu" -v j1="$(jit_cpu_seconds "$STRATA_PID")" \
        '{ sub(/.*cpu-s=/, ""); c += $1 } END { printf "%.2f %.2f %.2f %.2f\n", b1 - b0, s1 - s0, c, j1 - j0 }' \
        "$RAW/drain.txt" >"$RAW/cpu-drain.txt"
    log "FetchDrain: $(cat "$RAW/drain.txt")"
}

# The same consumer and amount of data read from the local tier of the same broker (a topic with
# remote.storage.enable=false, just written, so from the page cache): the ceiling of one consumer
# on one partition on this machine, whatever the bucket does.
local_baseline() {
    [[ $BASELINE == 1 ]] || return 0
    create_topic "$LOCAL_TOPIC" remote.storage.enable=false
    produce "$LOCAL_TOPIC"
    consume "$LOCAL_TOPIC"
}

consume_figures() { # $1: topic; prints "MiB MiB/s records elapsed-ms" of its consume run
    # the CSV line: start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch records/s
    tail -1 "$RAW/consume-$1.txt" | awk -F', ' '{ print $3, $4, $5, $8 }'
}

write_report() {
    local commit consumed_mb fetch_ms consume_mbs messages segment_mbs raw1 raw2 raw_best
    local upload_bytes puts fetched_bytes gets
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    git -C "$ROOT" diff --quiet HEAD -- . ':!loadtest/results' ':!*.md' 2>/dev/null || commit="$commit (with uncommitted changes)"
    read -r consumed_mb consume_mbs messages fetch_ms < <(consume_figures "$TOPIC")
    ((messages == TIERED_RECORDS)) || log "WARNING: consumed $messages of $TIERED_RECORDS records"
    segment_mbs=$(awk -v b="$TIERED_BYTES" -v ms="$fetch_ms" 'BEGIN { printf "%.1f", b / 1048576 / (ms / 1000) }')
    raw1=$(best_raw 1)
    raw2=$(best_raw 2)
    raw_best=$(printf '%s\n%s\n' "$raw1" "$raw2" | sort -rn | head -1)
    read -r upload_bytes puts _ _ < <(remote_tier_counts "$WORK/broker-1.log")
    read -r _ _ fetched_bytes gets < <(remote_tier_counts "$WORK/broker-2.log")
    server_counts
    per_gib() { awk -v n="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", n / (b / 1073741824); else print "n/a" }'; }
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
    {
        echo "# Cold catch-up from the bucket"
        echo
        echo "- Command: \`$COMMAND\` (from the repository root)"
        echo "- Date: $START_DATE to $(date -u +%FT%TZ)"
        echo "- Machine: $(machine); load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
        echo "- Strata: commit $commit, \`java -jar broker-vertx/target/strata-broker.jar\` ($BROKER_JVM_OPTS), $S3_DESCRIPTION"
        echo "  (S3Proxy 4.1, filesystem store; without EMULATE_S3 a child process of the broker; the S3 server CPU figures are S3Proxy's alone); remote.fetch.chunk.bytes $CHUNK_BYTES (default),"
        echo "  remote.fetch.cache.bytes default (256 MiB); remote.log.manager.task.interval.ms and log.retention.check.interval.ms $TASK_INTERVAL_MS"
        echo "- Topic: $PARTITIONS partition(s), segment.bytes ${SEGMENT_BYTES:-broker default (512 MiB)}, local.retention.bytes=1"
        echo "- Produced: $DATA_MB MiB, $((DATA_MB * 1024)) records of $RECORD_SIZE bytes (\`ProducerPerformance\`, \`${PRODUCER_PROPS[*]}\`);"
        echo "  tiered: $TIERED_SEGMENTS segments, $TIERED_BYTES bytes, offsets 0 to $((TIERED_RECORDS - 1)) (the active segment is not in the bucket and is not read)"
        case $MODE in
            restart) echo "- Cold cache (MODE=restart): broker stopped (SIGTERM) and started again on the same data directory and bucket; the chunk cache lives in memory, so it starts empty" ;;
            stateless) echo "- Cold cache (MODE=stateless): broker stopped, its data directory deleted except the embedded S3 server's folder, broker started again: it rebuilt its catalog from the bucket; no segment file on local disk" ;;
        esac
        if ((WARMUP_MB > 0)); then
            echo "- JVM warm-up: before the measured read, the restarted broker served $WARMUP_RECORDS records of a second tiered topic ($WARMUP_BYTES bytes of segments) from the bucket, $WARMUP_ROUNDS time(s), so the JIT had compiled the remote read path; the measured topic's chunks had never been loaded (cold cache). GET and byte counts below include the warm-up reads (the last one: $(tail -1 "$RAW/consume-$WARMUP_TOPIC.txt" | awk -F', ' '{ print $4 }') MiB/s)"
        fi
        echo "- Both the consumer and the raw measurement read objects that S3Proxy serves from files in the page cache (written minutes before), so neither measures the disk"
        echo
        echo "| figure | value | goal |"
        echo "|---|---|---|"
        echo "| consume, \`AssignConsumerPerf\` from offset 0 (max.partition.fetch.bytes $FETCH_BYTES), record values | $consume_mbs MiB/s, $consumed_mb MiB, $messages records in $(awk -v ms="$fetch_ms" 'BEGIN { printf "%.1f", ms / 1000 }') s | |"
        echo "| consume, segment bytes (what the GETs carry) per second | $segment_mbs MiB/s | |"
        echo "| raw ranged GETs, same server, same SDK (the broker jar's \`S3ObjectStore\`), 4 MiB ranges, 1 in flight | $raw1 MiB/s | |"
        echo "| raw ranged GETs, 2 in flight | $raw2 MiB/s | |"
        echo "| **consume / raw (segment bytes, best raw)** | **$(ratio "$segment_mbs" "$raw_best")** | ≥ 0.8 |"
        echo "| consume / raw, 1 in flight | $(ratio "$segment_mbs" "$raw1") | |"
        if [[ $DRAIN == 1 ]]; then
            local drain_mbs
            drain_mbs=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += kv[2] } }
                END { printf "%.1f", v["bytes"] / 1048576 / v["seconds"] }' "$RAW/drain.txt")
            echo "| cold read by \`FetchDrain\` (plain Fetch requests, batch headers only: the client's CPU nearly out of the picture), segment bytes | $drain_mbs MiB/s | |"
            echo "| **FetchDrain / raw (best raw)** | **$(ratio "$drain_mbs" "$raw_best")** | ≥ 0.8 |"
        fi
        if [[ $BASELINE == 1 ]]; then
            local local_mbs
            read -r _ local_mbs _ _ < <(consume_figures "$LOCAL_TOPIC")
            echo "| baseline: the same consumer, same amount, from the local tier (\`remote.storage.enable=false\`, page cache), record values | $local_mbs MiB/s | |"
            echo "| cold catch-up / local tier (record values) | $(ratio "$consume_mbs" "$local_mbs") | |"
        fi
        cpu_rows
        echo "| **ranged GETs per GiB read** (broker: $gets GETs for $fetched_bytes bytes fetched) | **$(per_gib "$gets" "$((TIERED_BYTES + WARMUP_ROUNDS * WARMUP_BYTES))")** | ≤ 300 |"
        echo "| **PUTs per GiB uploaded** (broker: $puts PUTs for $upload_bytes bytes copied) | **$(per_gib "$puts" "$upload_bytes")** | ≤ 10 |"
        echo "| S3 server side (S3Proxy's log) | $SERVER_COUNTS | |"
        echo
        echo "GiB = 2^30 bytes (the stricter reading of \"GB\"); MiB/s = 2^20 bytes per second. GETs and PUTs are the"
        echo "broker's counters from its last \`Remote tier:\` log line at shutdown (first broker: uploads; second"
        echo "broker: the catch-up reads). \"Fetched\" counts the record bytes returned to consumers; GETs per GiB"
        echo "divides by the bytes of the segments read. The raw figure is the best of $RAW_ROUNDS passes over all"
        echo "segment objects, read sequentially, each following the previous one; it ran against the second"
        echo "broker's S3 server before the consume, from a separate JVM, so the broker's cache stayed empty."
        echo
        echo "Raw passes:"
        echo
        echo '```'
        grep -h '^objects=\|^in-flight=' "$RAW/raw-get.txt"
        echo '```'
    } >"$REPORT"
    echo
    cat "$REPORT"
}

# CPU seconds per GiB of segment bytes, per process, of the cold consume, the raw GETs and the
# local-tier consume, and the throughput the machine's cores would allow if CPU were all that
# limited each (cores / CPU seconds per GiB): on one machine with the S3 server, the cold read path
# needs the S3 server's, the broker's and the consumer's CPU at once.
cpu_rows() {
    local cores b s c raw_line raw_reader raw_server raw_bytes
    cores=$(nproc)
    per_gib_cpu() { awk -v s="$1" -v b="$2" 'BEGIN { printf "%.2f", s / (b / 1073741824) }'; }
    ceiling() { awk -v n="$cores" -v t="$1" 'BEGIN { printf "%.0f", n / t * 1024 }'; }
    local b s c j bg sg cg jg total
    read -r b s c j <"$RAW/cpu-$TOPIC.txt"
    bg=$(per_gib_cpu "$b" "$TIERED_BYTES"); sg=$(per_gib_cpu "$s" "$TIERED_BYTES"); cg=$(per_gib_cpu "$c" "$TIERED_BYTES")
    jg=$(per_gib_cpu "$j" "$TIERED_BYTES")
    total=$(awk -v a="$bg" -v b="$sg" -v c="$cg" 'BEGIN { printf "%.2f", a + b + c }')
    echo "| CPU s per GiB, cold consume: broker (of which JIT compiler) / S3 server / consumer = total | $bg ($jg) / $sg / $cg = $total (all $cores cores busy would allow $(ceiling "$total") MiB/s) | |"
    if [[ $DRAIN == 1 ]]; then
        read -r b s c j <"$RAW/cpu-drain.txt"
        bg=$(per_gib_cpu "$b" "$TIERED_BYTES"); sg=$(per_gib_cpu "$s" "$TIERED_BYTES"); cg=$(per_gib_cpu "$c" "$TIERED_BYTES")
        jg=$(per_gib_cpu "$j" "$TIERED_BYTES")
        total=$(awk -v a="$bg" -v b="$sg" -v c="$cg" 'BEGIN { printf "%.2f", a + b + c }')
        echo "| CPU s per GiB, FetchDrain read: broker (of which JIT compiler) / S3 server / client = total | $bg ($jg) / $sg / $cg = $total (all $cores cores busy would allow $(ceiling "$total") MiB/s) | |"
    fi
    raw_line=$(awk '/^in-flight=/ { v = $0; sub(/.*MiB\/s=/, "", v); v += 0; if (v > best) { best = v; line = $0 } } END { print line }' "$RAW/raw-get.txt")
    raw_bytes=$(sed -E 's/.* bytes=([0-9]+).*/\1/' <<<"$raw_line")
    raw_reader=$(per_gib_cpu "$(sed -E 's/.* cpu-s=([0-9.]+).*/\1/' <<<"$raw_line")" "$raw_bytes")
    raw_server=$(per_gib_cpu "$(sed -E 's/.* server-cpu-s=([0-9.]+).*/\1/' <<<"$raw_line")" "$raw_bytes")
    total=$(awk -v a="$raw_reader" -v b="$raw_server" 'BEGIN { printf "%.2f", a + b }')
    echo "| CPU s per GiB, best raw pass: reader / S3 server = total | $raw_reader / $raw_server = $total (all $cores cores busy would allow $(ceiling "$total") MiB/s) | |"
    if [[ $BASELINE == 1 && -f $RAW/cpu-$LOCAL_TOPIC.txt ]]; then
        read -r b s c j <"$RAW/cpu-$LOCAL_TOPIC.txt"
        bg=$(per_gib_cpu "$b" "$TIERED_BYTES"); cg=$(per_gib_cpu "$c" "$TIERED_BYTES"); jg=$(per_gib_cpu "$j" "$TIERED_BYTES")
        total=$(awk -v a="$bg" -v c="$cg" 'BEGIN { printf "%.2f", a + c }')
        echo "| CPU s per GiB, local-tier consume: broker (of which JIT compiler) / consumer = total | $bg ($jg) / $cg = $total | |"
    fi
}

# S3Proxy logs no line per request at its default level (checked: s3.log holds its start-up and
# shutdown lines only), so the server side cannot be counted from it; say so unless it does.
server_counts() {
    local lines
    lines=$(grep -c -E '"?(GET|PUT) /' "$S3_LOG" 2>/dev/null || true)
    if [[ ${lines:-0} -gt 0 ]]; then
        SERVER_COUNTS="$(grep -c -E '"?GET /' "$S3_LOG") GET and $(grep -c -E '"?PUT /' "$S3_LOG") PUT request lines in s3.log"
    else
        SERVER_COUNTS="not counted: S3Proxy logs no line per request ($(wc -l <"$S3_LOG") lines in s3.log: start-up and shutdown)"
    fi
}

START_DATE=$(date -u +%FT%TZ)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
build
[[ $PROFILE == 1 ]] && extract_async_profiler
mapfile -t PORTS < <(java -cp "$CLASSPATH" io.strata.loadtest.FreePorts 3)
KAFKA_PORT=${PORTS[0]}
S3_PORT=${PORTS[1]}
PROXY_PORT=${PORTS[2]}
setup_s3
BOOTSTRAP=127.0.0.1:$KAFKA_PORT
start_broker broker-1.log
create_topic "$TOPIC" local.retention.bytes=1
produce "$TOPIC"
if ((WARMUP_MB > 0)); then
    create_topic "$WARMUP_TOPIC" local.retention.bytes=1
    produce "$WARMUP_TOPIC" "$WARMUP_MB"
fi
wait_for_tiering
((WARMUP_MB == 0)) || wait_for_warmup_tiering
make_cache_cold
raw_ranged_gets
warm_up
consume "$TOPIC"
drain
local_baseline
stop_broker
write_report
