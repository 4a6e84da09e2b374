package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.cluster.EpochEnds;

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
 * OffsetForLeaderEpoch (v2-4), which consumers send to validate their position after a metadata change. Only the
 * leader answers (NOT_LEADER_OR_FOLLOWER elsewhere); a current leader epoch (when given, not -1) older than the
 * leader's is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH ({@link Cluster#checkLeader}). The end of the epoch
 * asked for comes from the partition's recorded epoch history ({@link EpochEnds}, Kafka's rule): in single-broker
 * mode one epoch, 0, ending at the log end; in cluster mode every epoch the database recorded, each starting at
 * the committed end when it began. Runs on the I/O pool (cluster mode reads the history from the database).
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {

    private final LogManager logs;
    private final Cluster cluster;

    public OffsetForLeaderEpochHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, OffsetsForLeaderEpochRequest request) {
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData().setThrottleTimeMs(0);
            for (OffsetForLeaderTopic topic : request.data().topics()) {
                OffsetForLeaderTopicResult topicResult = new OffsetForLeaderTopicResult().setTopic(topic.topic());
                for (OffsetForLeaderPartition partition : topic.partitions()) {
                    topicResult.partitions().add(endOffset(new TopicPartition(topic.topic(), partition.partition()),
                            partition.currentLeaderEpoch(), partition.leaderEpoch()));
                }
                response.topics().add(topicResult);
            }
            return response;
        });
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
        Errors leader = cluster.checkLeader(tp, Optional.of(currentLeaderEpoch));
        if (leader != Errors.NONE) {
            return result.setErrorCode(leader.code());
        }
        try {
            EpochEnds.EpochEnd end = EpochEnds.endOffsetFor(cluster.epochHistory(tp), leaderEpoch,
                    log.get().logStartOffset(), log.get().highWatermark());
            return result.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
        } catch (RuntimeException e) {
            return result.setErrorCode(KafkaErrors.toError(e, "OffsetForLeaderEpoch on " + tp).code());
        }
    }
}
