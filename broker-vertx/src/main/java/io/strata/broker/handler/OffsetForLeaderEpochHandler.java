package io.strata.broker.handler;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.log.PartitionLog;
import io.vertx.core.Future;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * OffsetForLeaderEpoch (v2-4), which consumers send to validate their position after a metadata
 * change. Every partition of this broker has had one leader, epoch 0, since its first offset (batches
 * are stamped with epoch 0), so with Kafka's rules ({@code Partition.lastOffsetForLeaderEpoch} and
 * {@code LeaderEpochFileCache.endOffsetFor}):
 * <ul>
 *   <li>a current leader epoch (when given, not -1) below 0 is FENCED_LEADER_EPOCH, above 0
 *       UNKNOWN_LEADER_EPOCH;</li>
 *   <li>epoch 0 ends at the log end offset;</li>
 *   <li>an epoch above 0, or -1, is unknown: UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET without error;</li>
 *   <li>an epoch below 0 (other than -1) precedes every known epoch: that epoch, ending where epoch 0
 *       starts (the log start offset).</li>
 * </ul>
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {

    static final int LEADER_EPOCH = 0;

    private final LogManager logs;

    public OffsetForLeaderEpochHandler(LogManager logs) {
        this.logs = logs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, OffsetsForLeaderEpochRequest request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
        for (OffsetForLeaderTopic topic : request.data().topics()) {
            OffsetForLeaderTopicResult topicResult = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderPartition partition : topic.partitions()) {
                topicResult.partitions().add(endOffset(new TopicPartition(topic.topic(), partition.partition()),
                        partition.currentLeaderEpoch(), partition.leaderEpoch()));
            }
            response.topics().add(topicResult);
        }
        return Future.succeededFuture(response);
    }

    private EpochEndOffset endOffset(TopicPartition tp, int currentLeaderEpoch, int leaderEpoch) {
        EpochEndOffset result = new EpochEndOffset().setPartition(tp.partition())
                .setErrorCode(Errors.NONE.code())
                .setLeaderEpoch(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH)
                .setEndOffset(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET);
        Optional<PartitionLog> log = logs.log(tp);
        if (log.isEmpty()) {
            return result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (currentLeaderEpoch != RecordBatch.NO_PARTITION_LEADER_EPOCH) {
            if (currentLeaderEpoch < LEADER_EPOCH) {
                return result.setErrorCode(Errors.FENCED_LEADER_EPOCH.code());
            }
            if (currentLeaderEpoch > LEADER_EPOCH) {
                return result.setErrorCode(Errors.UNKNOWN_LEADER_EPOCH.code());
            }
        }
        if (leaderEpoch == LEADER_EPOCH) {
            return result.setLeaderEpoch(LEADER_EPOCH).setEndOffset(log.get().highWatermark());
        }
        if (leaderEpoch < LEADER_EPOCH && leaderEpoch != OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH) {
            return result.setLeaderEpoch(leaderEpoch).setEndOffset(log.get().logStartOffset());
        }
        return result;
    }
}
