package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.PartitionLog;
import io.vertx.core.Future;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets (v1-10): earliest (-2), latest (-1), max timestamp (-3, exact record), earliest local
 * (-4), latest tiered (-5, none yet) and by timestamp (the first record at or after it, found through
 * the RocksDB time index). Latest is the high watermark, which is also the last stable offset since
 * there are no transactions. Lookups run on the segment-io pool.
 *
 * <p>The leader epoch field exists from v4 on: older versions (librdkafka 2.0 sends v1/v2) must leave it at
 * its default -1, or the response cannot be written at their version.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {

    private static final short FIRST_VERSION_WITH_LEADER_EPOCH = 4;

    private final LogManager logs;
    private final Cluster cluster;

    public ListOffsetsHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, ListOffsetsRequest request) {
        boolean withLeaderEpoch = request.version() >= FIRST_VERSION_WITH_LEADER_EPOCH;
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            ListOffsetsResponseData response = new ListOffsetsResponseData().setThrottleTimeMs(0);
            for (ListOffsetsTopic topic : request.data().topics()) {
                ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
                response.topics().add(topicResponse);
                Optional<TopicLogs> logsOfTopic = logs.topic(topic.name());
                for (ListOffsetsPartition partition : topic.partitions()) {
                    topicResponse.partitions().add(lookup(logsOfTopic, topic.name(), partition, withLeaderEpoch));
                }
            }
            return response;
        });
    }

    private ListOffsetsPartitionResponse lookup(Optional<TopicLogs> topic, String name,
                                                       ListOffsetsPartition partition, boolean withLeaderEpoch) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse()
                .setPartitionIndex(partition.partitionIndex())
                .setTimestamp(RecordBatch.NO_TIMESTAMP)
                .setOffset(-1)
                .setLeaderEpoch(-1);
        if (topic.isEmpty() || partition.partitionIndex() < 0
                || partition.partitionIndex() >= topic.get().partitions().size()) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        int leaderEpoch = cluster.route(new TopicPartition(name, partition.partitionIndex())).leaderEpoch();
        Errors leader = cluster.checkLeader(new TopicPartition(name, partition.partitionIndex()),
                Optional.of(partition.currentLeaderEpoch()));
        if (leader != Errors.NONE) {
            return out.setErrorCode(leader.code());
        }
        PartitionLog log = topic.get().partitions().get(partition.partitionIndex());
        try {
            log.checkOnline();
            long timestamp = partition.timestamp();
            Optional<TimestampAndOffset> found;
            if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP) {
                found = Optional.of(new TimestampAndOffset(RecordBatch.NO_TIMESTAMP, log.logStartOffset(),
                        Optional.of(leaderEpoch)));
            } else if (timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
                // Kafka (KIP-405): the first offset still on local disk
                found = Optional.of(new TimestampAndOffset(RecordBatch.NO_TIMESTAMP,
                        Math.max(log.logStartOffset(), log.localStartOffset()), Optional.of(leaderEpoch)));
            } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
                found = Optional.of(new TimestampAndOffset(RecordBatch.NO_TIMESTAMP, log.highWatermark(),
                        Optional.of(leaderEpoch)));
            } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
                found = log.maxTimestampOffset();
            } else if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
                // Kafka (KIP-1005): the last offset copied to the bucket, -1 when nothing is
                found = log.remoteEndOffset() > log.logStartOffset()
                        ? Optional.of(new TimestampAndOffset(RecordBatch.NO_TIMESTAMP, log.remoteEndOffset() - 1,
                                Optional.of(leaderEpoch)))
                        : Optional.empty();
            } else if (timestamp < 0) {
                return out.setErrorCode(Errors.INVALID_REQUEST.code());
            } else {
                found = log.offsetForTimestamp(timestamp);
            }
            out.setErrorCode(Errors.NONE.code());
            found.ifPresent(f -> out.setTimestamp(f.timestamp).setOffset(f.offset)
                    .setLeaderEpoch(withLeaderEpoch ? leaderEpoch : RecordBatch.NO_PARTITION_LEADER_EPOCH));
            return out;
        } catch (RuntimeException e) {
            return out.setErrorCode(KafkaErrors.toError(e, "ListOffsets on " + name + "-"
                    + partition.partitionIndex()).code());
        }
    }
}
