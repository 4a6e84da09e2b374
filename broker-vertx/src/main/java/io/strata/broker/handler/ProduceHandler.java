package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.fetch.FetchWaiters;
import io.strata.broker.metrics.TopicTraffic;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.AppendResult;
import io.strata.tiering.log.PartitionLog;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Produce (v3-13). The appends of one request run as one task on the segment-io pool, one partition
 * after the other, and the tasks of one connection run one at a time in request order
 * ({@link ConnectionQueues}), so a producer's pipelined requests reach each partition in the order it
 * sent them, and a request costs one hand-off to the pool whatever its number of partitions. The response waits for all
 * of them; with {@code acks=-1} and a write-ahead log it also waits until every appended batch is committed (in the
 * bucket and the metadata database, CLUSTER.md invariant 2), and a retried batch that the log recognises as a
 * duplicate until its original is (rule 4); {@code acks=1} is answered after the local append, as in Kafka. With
 * {@code acks=0} there is no response, and a failure closes the connection as in Kafka. Topics are named up to v12 and identified by id from v13. Appended bytes and records are
 * counted per topic ({@link TopicTraffic}); requests waiting for their appends are counted as the
 * Produce purgatory ({@link #waitingRequests()}).
 */
public final class ProduceHandler implements ApiHandler<ProduceRequest> {

    private final LogManager logs;
    private final Cluster cluster;
    private final FetchWaiters waiters;
    private final TopicTraffic traffic;
    private final AtomicInteger waitingRequests = new AtomicInteger();
    private final ConnectionQueues queues;

    public ProduceHandler(LogManager logs, Cluster cluster, FetchWaiters waiters, TopicTraffic traffic) {
        this.logs = logs;
        this.cluster = cluster;
        this.queues = new ConnectionQueues(logs.ioExecutor());
        this.waiters = waiters;
        this.traffic = traffic;
    }

    /** Produce requests whose appends have not all completed yet. */
    public int waitingRequests() {
        return waitingRequests.get();
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    /** One partition's append: what to append, where, and its outcome. */
    private record Pending(TopicProduceResponse topic, PartitionProduceResponse partition, PartitionLog log,
                           MemoryRecords records, TopicTraffic.Topic traffic, CompletableFuture<AppendResult> append) {

        /** Completes when what this append answers with is committed (at once unless acks=-1 waits for the WAL). */
        CompletableFuture<Void> committed(short acks) {
            if (acks != -1 || append.isCompletedExceptionally()) {
                return CompletableFuture.completedFuture(null);
            }
            AppendResult result = append.join();
            return result.firstOffset() < 0 ? CompletableFuture.completedFuture(null)
                    : log.awaitCommitted(result.lastOffset() + 1);
        }
    }

    /**
     * The returned future completes only after the appends: they read the request's buffer, which the
     * connection releases once the request is answered.
     */
    @Override
    public Future<ApiMessage> handle(RequestContext context, ProduceRequest request) {
        short acks = request.data().acks();
        ProduceResponseData response = new ProduceResponseData().setThrottleTimeMs(0);
        List<Pending> pending = new ArrayList<>();
        collectAppends(context, request, response, pending);
        CompletableFuture<Void> appended = pending.isEmpty() ? CompletableFuture.completedFuture(null)
                : queues.submit(context.connectionId(), () -> appendAll(pending));
        waitingRequests.incrementAndGet();
        CompletableFuture<List<CompletableFuture<Void>>> durable = appended.handle((ignored, error) -> {
            if (error != null) { // an Error, or the pool refused the work: the partitions not reached fail with it
                pending.forEach(p -> p.append().completeExceptionally(error));
            }
            return pending.stream().map(p -> p.committed(acks)).toList();
        });
        CompletableFuture<ApiMessage> done = durable.thenCompose(commits ->
                CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
                    waitingRequests.decrementAndGet();
                    return complete(pending, commits, response, acks);
                }));
        return Blocking.onContext(context.vertxContext(), done);
    }

    /** Appends to each partition in turn; on the connection's queue. */
    private static void appendAll(List<Pending> pending) {
        for (Pending p : pending) {
            try {
                p.append().complete(p.log().append(p.records()));
            } catch (RuntimeException e) {
                p.append().completeExceptionally(e);
            }
        }
    }

    private void collectAppends(RequestContext context, ProduceRequest request, ProduceResponseData response,
                              List<Pending> pending) {
        short acks = request.data().acks();
        boolean byId = context.apiVersion() >= 13;
        for (TopicProduceData topicData : request.data().topicData()) {
            Optional<TopicLogs> topic = byId ? logs.topic(topicData.topicId()) : logs.topic(topicData.name());
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(byId ? "" : topicData.name())
                    .setTopicId(byId ? topicData.topicId() : Uuid.ZERO_UUID);
            response.responses().add(topicResponse);
            TopicTraffic.Topic topicTraffic = topic.map(t -> traffic.topic(t.name())).orElse(null);
            for (PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse partition = new PartitionProduceResponse()
                        .setIndex(partitionData.index())
                        .setBaseOffset(-1)
                        .setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP)
                        .setLogStartOffset(-1);
                topicResponse.partitionResponses().add(partition);
                Errors invalid = acks != 0 && acks != 1 && acks != -1 ? Errors.INVALID_REQUIRED_ACKS
                        : topic.isEmpty() ? (byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION)
                        : partitionData.index() < 0 || partitionData.index() >= topic.get().partitions().size()
                        ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                        : cluster.checkLeader(new TopicPartition(topic.get().name(), partitionData.index()),
                                Optional.empty());
                if (invalid != Errors.NONE) {
                    partition.setErrorCode(invalid.code());
                    continue;
                }
                PartitionLog log = topic.get().partitions().get(partitionData.index());
                MemoryRecords records = partitionData.records() instanceof MemoryRecords memory
                        ? memory : MemoryRecords.EMPTY;
                pending.add(new Pending(topicResponse, partition, log, records, topicTraffic,
                        new CompletableFuture<>()));
            }
        }
    }

    private ApiMessage complete(List<Pending> pending, List<CompletableFuture<Void>> commits,
                                ProduceResponseData response, short acks) {
        boolean failed = false;
        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            try {
                AppendResult result = p.append().join(); // done: appendAll completed every one
                commits.get(i).join(); // done too: failed when the WAL did not commit it
                String topic = p.topic().name().isEmpty()
                        ? logs.topic(p.topic().topicId()).map(TopicLogs::name).orElse("") : p.topic().name();
                TopicPartition tp = new TopicPartition(topic, p.partition().index());
                // Asked again before acknowledging: a leader that lost its lease or its leadership while
                // appending (a pause, a move) acknowledges nothing more; the producer retries at the new leader
                Errors leader = cluster.checkLeader(tp, Optional.empty());
                if (leader != Errors.NONE) {
                    failed = true;
                    p.partition().setErrorCode(leader.code()).setErrorMessage("Leadership of " + tp
                            + " changed before the append could be acknowledged");
                    continue;
                }
                p.partition().setErrorCode(Errors.NONE.code())
                        .setBaseOffset(result.firstOffset())
                        .setLogAppendTimeMs(result.logAppendTimeMs())
                        .setLogStartOffset(result.logStartOffset());
                if (!result.duplicate() && result.firstOffset() >= 0) {
                    p.traffic().appended(p.records().sizeInBytes(), result.lastOffset() - result.firstOffset() + 1);
                    if (p.log().committedOnAppend()) { // with a WAL, its commits wake the waiting fetches
                        waiters.appended(tp, p.records().sizeInBytes());
                    }
                }
            } catch (java.util.concurrent.CompletionException e) {
                failed = true;
                Throwable cause = e.getCause() == null ? e : e.getCause();
                p.partition().setErrorCode(KafkaErrors.toError(cause, "Produce to partition " + p.partition().index())
                                .code())
                        .setErrorMessage(KafkaErrors.message(cause));
            } catch (RuntimeException e) {
                failed = true;
                p.partition().setErrorCode(KafkaErrors.toError(e, "Produce to partition " + p.partition().index())
                                .code())
                        .setErrorMessage(KafkaErrors.message(e));
            }
        }
        if (acks == 0) {
            if (failed) {
                throw new org.apache.kafka.common.errors.InvalidRequestException(
                        "acks=0 produce failed; closing the connection so that the client notices");
            }
            return null;
        }
        return response;
    }
}
