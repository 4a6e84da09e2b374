package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.fetch.FetchWaiters;
import io.strata.broker.metrics.TopicTraffic;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.FetchResult;
import io.strata.tiering.log.PartitionLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch (v4-18) for consumers.
 *
 * <ul>
 *   <li>Byte limits as in Kafka (KIP-74): partitions are read in request order, each up to
 *       {@code min(partition_max_bytes, what is left of max_bytes)}; the first partition that has data
 *       returns at least one whole batch even when it is larger than the limits. {@code max_bytes} is capped
 *       at the broker's {@code fetch.max.bytes}, as Kafka does.</li>
 *   <li>Long poll: when fewer than {@code min_bytes} are available the fetch parks until appends to its
 *       partitions bring enough bytes or {@code max_wait_ms} passes, then reads again; the wait is capped at
 *       the broker's {@code strata.fetch.max.wait.ms}, so no request holds its connection for ever. A fetch naming no
 *       partition (a consumer closing its fetch session sends one) is answered at once, as by Kafka.</li>
 *   <li>Fetch sessions (KIP-227) are declined: the response always carries session id 0, so clients
 *       keep sending full fetch requests. A request naming a session gets FETCH_SESSION_ID_NOT_FOUND.</li>
 * </ul>
 * Reads run on the segment-io pool, never on the event loop. The bytes of records in each response
 * sent are counted per topic ({@link TopicTraffic}).
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {

    private final LogManager logs;
    private final Cluster cluster;
    private final FetchWaiters waiters;
    private final long remoteFetchMaxWaitMs;
    private final int fetchMaxBytes;
    private final long fetchMaxWaitMs;
    private final TopicTraffic traffic;

    /**
     * @param remoteFetchMaxWaitMs how long a read of the bucket may hold up the response (Kafka's
     *                             {@code remote.fetch.max.wait.ms}); a slower one answers that
     *                             partition with no records, and its chunks keep loading into the
     *                             cache for the consumer's next fetch
     * @param fetchMaxBytes the most one response carries, whatever the request asks ({@code fetch.max.bytes})
     * @param fetchMaxWaitMs the longest a fetch waits for data, whatever it asks ({@code strata.fetch.max.wait.ms})
     */
    public FetchHandler(LogManager logs, Cluster cluster, FetchWaiters waiters, long remoteFetchMaxWaitMs,
                        int fetchMaxBytes, long fetchMaxWaitMs, TopicTraffic traffic) {
        this.logs = logs;
        this.cluster = cluster;
        this.waiters = waiters;
        this.remoteFetchMaxWaitMs = remoteFetchMaxWaitMs;
        this.fetchMaxBytes = fetchMaxBytes;
        this.fetchMaxWaitMs = fetchMaxWaitMs;
        this.traffic = traffic;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    /**
     * One partition to read: its response entry, its log (empty when the partition is unknown), its
     * offset, and its topic's traffic counters (null when the topic is unknown).
     */
    private record Target(PartitionData response, TopicPartition topicPartition, Optional<PartitionLog> log,
                          long fetchOffset, int partitionMaxBytes, TopicTraffic.Topic traffic) {
    }

    private record ReadOutcome(FetchResponseData response, List<Target> targets, long bytes, boolean anyError) {

        /** Counts the bytes of records this response carries, per topic; call once, for the response sent. */
        ApiMessage sent() {
            for (Target target : targets) {
                int bytes = target.response().records() == null ? 0 : target.response().records().sizeInBytes();
                if (bytes > 0 && target.traffic() != null) {
                    target.traffic().fetched(bytes);
                }
            }
            return response;
        }
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, FetchRequest request) {
        FetchRequestData data = request.data();
        short version = context.apiVersion();
        if (version >= 7 && data.sessionId() != 0) {
            return Future.succeededFuture(topLevelError(Errors.FETCH_SESSION_ID_NOT_FOUND));
        }
        if (version >= 7 && data.sessionEpoch() > 0) {
            return Future.succeededFuture(topLevelError(Errors.INVALID_FETCH_SESSION_EPOCH));
        }
        int maxBytes = Math.min(fetchMaxBytes, version >= 3 ? data.maxBytes() : Integer.MAX_VALUE);
        return read(context.vertxContext(), data, version, maxBytes).compose(first -> {
            boolean nothingToWaitFor = data.topics().stream().allMatch(topic -> topic.partitions().isEmpty());
            if (first.anyError() || first.bytes() >= data.minBytes() || data.maxWaitMs() <= 0 || nothingToWaitFor) {
                return Future.succeededFuture(first.sent());
            }
            return new DelayedFetch(context.vertxContext(), data, version, maxBytes, first.bytes()).start();
        });
    }

    private Future<ReadOutcome> read(Context context, FetchRequestData data, short version, int maxBytes) {
        return Blocking.onContext(context, CompletableFuture.supplyAsync(() -> readAll(data, version, maxBytes),
                logs.ioExecutor()).thenCompose(outcome -> outcome));
    }

    /**
     * Resolves and reads every requested partition, in request order, within the byte limits. Local
     * reads happen here (on an I/O thread); reads of remote segments run concurrently, each with the
     * budget it would have had in order reserved for it, and the outcome completes when they have.
     */
    private CompletableFuture<ReadOutcome> readAll(FetchRequestData data, short version, int maxBytes) {
        FetchResponseData response = new FetchResponseData()
                .setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code())
                .setSessionId(0);
        long remaining = maxBytes;
        boolean minOneMessage = true;
        long total = 0;
        boolean anyError = false;
        List<CompletableFuture<Long>> remoteReads = new ArrayList<>();
        List<Target> targets = resolve(data, version, response);
        for (Target target : targets) {
            if (target.log().isEmpty()) {
                anyError = true;
                continue;
            }
            int limit = (int) Math.min(target.partitionMaxBytes(), remaining);
            CompletableFuture<FetchResult> read = target.log().get()
                    .readAsync(target.fetchOffset(), limit, minOneMessage);
            if (read.isDone()) {
                long size = complete(target, read);
                anyError |= size < 0;
                if (size > 0) {
                    minOneMessage = false;
                    remaining = Math.max(0, remaining - size);
                    total += size;
                }
            } else {
                minOneMessage = false;
                remaining = Math.max(0, remaining - limit);
                PartitionLog log = target.log().get();
                read.completeOnTimeout(new FetchResult(MemoryRecords.EMPTY, log.highWatermark(), log.logStartOffset()),
                        remoteFetchMaxWaitMs, TimeUnit.MILLISECONDS);
                remoteReads.add(read.handle((r, e) -> complete(target, read)));
            }
        }
        long localBytes = total;
        boolean localError = anyError;
        return CompletableFuture.allOf(remoteReads.toArray(CompletableFuture[]::new)).thenApply(v -> {
            long bytes = localBytes;
            boolean error = localError;
            for (CompletableFuture<Long> remote : remoteReads) {
                long size = remote.join(); // done: allOf completed
                error |= size < 0;
                bytes += Math.max(0, size);
            }
            return new ReadOutcome(response, targets, bytes, error);
        });
    }

    /** Fills the partition's response from a finished read; returns the bytes read, or -1 on error. */
    private static long complete(Target target, CompletableFuture<FetchResult> read) {
        PartitionData out = target.response();
        try {
            FetchResult result = read.join(); // done: called for a completed read only
            out.setErrorCode(Errors.NONE.code())
                    .setHighWatermark(result.highWatermark())
                    .setLastStableOffset(result.highWatermark())
                    .setLogStartOffset(result.logStartOffset())
                    .setRecords(result.records());
            return result.records().sizeInBytes();
        } catch (RuntimeException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            out.setErrorCode(KafkaErrors.toError(cause, "Fetch from " + target.topicPartition()).code());
            return -1;
        }
    }

    /** Builds the response skeleton and the list of partitions to read; unknown ones get their error now. */
    private List<Target> resolve(FetchRequestData data, short version, FetchResponseData response) {
        boolean byId = version >= 13;
        List<Target> targets = new ArrayList<>();
        for (FetchTopic topic : data.topics()) {
            Optional<TopicLogs> logsOfTopic = byId ? logs.topic(topic.topicId()) : logs.topic(topic.topic());
            FetchableTopicResponse topicResponse = new FetchableTopicResponse()
                    .setTopic(byId ? logsOfTopic.map(TopicLogs::name).orElse("") : topic.topic())
                    .setTopicId(byId ? topic.topicId() : Uuid.ZERO_UUID);
            response.responses().add(topicResponse);
            TopicTraffic.Topic topicTraffic = logsOfTopic.map(t -> traffic.topic(t.name())).orElse(null);
            for (FetchPartition partition : topic.partitions()) {
                PartitionData out = new PartitionData()
                        .setPartitionIndex(partition.partition())
                        .setHighWatermark(-1)
                        .setLastStableOffset(-1)
                        .setLogStartOffset(-1)
                        .setAbortedTransactions(null)
                        .setPreferredReadReplica(-1)
                        .setRecords(MemoryRecords.EMPTY);
                topicResponse.partitions().add(out);
                Optional<PartitionLog> log = logsOfTopic.flatMap(t -> partition.partition() >= 0
                        && partition.partition() < t.partitions().size()
                        ? Optional.of(t.partitions().get(partition.partition())) : Optional.empty());
                TopicPartition tp = new TopicPartition(topicResponse.topic(), partition.partition());
                if (log.isEmpty()) {
                    out.setErrorCode((logsOfTopic.isEmpty() && byId ? Errors.UNKNOWN_TOPIC_ID
                            : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                } else {
                    Errors leader = cluster.checkLeader(tp, Optional.of(partition.currentLeaderEpoch()));
                    if (leader != Errors.NONE) {
                        out.setErrorCode(leader.code());
                        log = Optional.empty();
                    }
                }
                targets.add(new Target(out, tp, log, partition.fetchOffset(), partition.partitionMaxBytes(),
                        topicTraffic));
            }
        }
        return targets;
    }

    private static FetchResponseData topLevelError(Errors error) {
        return new FetchResponseData()
                .setThrottleTimeMs(0)
                .setErrorCode(error.code())
                .setSessionId(0);
    }

    /**
     * A fetch parked until enough bytes arrive on its partitions or its wait ends. State is only
     * touched on the fetch's own context; {@link #onAppend} may be called from any thread.
     */
    private final class DelayedFetch implements FetchWaiters.Waiter {

        private final Context context;
        private final FetchRequestData data;
        private final short version;
        private final int maxBytes;
        private final List<TopicPartition> partitions = new ArrayList<>();
        private final Promise<ApiMessage> promise = Promise.promise();
        private final AtomicBoolean completed = new AtomicBoolean();
        private long bytes;
        private long timerId = -1;

        DelayedFetch(Context context, FetchRequestData data, short version, int maxBytes, long bytesAvailable) {
            this.context = context;
            this.data = data;
            this.version = version;
            this.maxBytes = maxBytes;
            this.bytes = bytesAvailable;
            for (FetchTopic topic : data.topics()) {
                String name = version >= 13 ? logs.topic(topic.topicId()).map(TopicLogs::name).orElse(null)
                        : topic.topic();
                if (name != null) {
                    for (FetchPartition partition : topic.partitions()) {
                        partitions.add(new TopicPartition(name, partition.partition()));
                    }
                }
            }
        }

        Future<ApiMessage> start() {
            waiters.register(this, partitions);
            timerId = context.owner().setTimer(Math.max(1, Math.min(data.maxWaitMs(), fetchMaxWaitMs)), id -> complete());
            return promise.future();
        }

        @Override
        public void onAppend(TopicPartition partition, int appendedBytes) {
            context.runOnContext(v -> {
                bytes += appendedBytes;
                if (bytes >= data.minBytes()) {
                    complete();
                }
            });
        }

        private void complete() {
            if (!completed.compareAndSet(false, true)) {
                return;
            }
            context.owner().cancelTimer(timerId);
            waiters.unregister(this, partitions);
            read(context, data, version, maxBytes)
                    .map(ReadOutcome::sent)
                    .onComplete(promise);
        }
    }
}
