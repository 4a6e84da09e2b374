package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.vertx.core.Future;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;

/**
 * AlterPartitionReassignments (v0-1), what {@code kafka-reassign-partitions --execute} sends: a partition's new
 * replica list names the broker that is to lead it (Strata keeps one replica, the leader, so the list must have
 * one broker: INVALID_REPLICA_ASSIGNMENT otherwise); a null list cancels a move not yet done. The move itself is a
 * planned hand-over ({@link Cluster#reassign}). Only the controller answers (NOT_CONTROLLER elsewhere, which the
 * admin client retries at the controller it finds in Metadata).
 */
public final class AlterPartitionReassignmentsHandler implements ApiHandler<AlterPartitionReassignmentsRequest> {

    private final LogManager logs;
    private final Cluster cluster;

    public AlterPartitionReassignmentsHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, AlterPartitionReassignmentsRequest request) {
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                    .setThrottleTimeMs(0).setErrorCode(Errors.NONE.code());
            if (cluster.controllerId() != cluster.localNodeId()) {
                return response.setErrorCode(Errors.NOT_CONTROLLER.code())
                        .setErrorMessage("Broker " + cluster.controllerId() + " is the controller");
            }
            for (ReassignableTopic topic : request.data().topics()) {
                ReassignableTopicResponse topicResponse = new ReassignableTopicResponse().setName(topic.name());
                response.responses().add(topicResponse);
                for (ReassignablePartition partition : topic.partitions()) {
                    topicResponse.partitions().add(reassign(new TopicPartition(topic.name(),
                            partition.partitionIndex()), Optional.ofNullable(partition.replicas())));
                }
            }
            return response;
        });
    }

    private ReassignablePartitionResponse reassign(TopicPartition tp, Optional<java.util.List<Integer>> replicas) {
        ReassignablePartitionResponse out = new ReassignablePartitionResponse().setPartitionIndex(tp.partition())
                .setErrorCode(Errors.NONE.code());
        if (logs.log(tp).isEmpty()) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        try {
            cluster.reassign(tp, replicas);
            return out;
        } catch (ApiException e) {
            return out.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
        }
    }
}
