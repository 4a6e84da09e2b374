package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

/**
 * ListPartitionReassignments (v0), what {@code kafka-reassign-partitions --verify} and {@code --list} ask: each move
 * not yet done, as Kafka shows one: replicas = the current leader and the target, adding = the target, removing =
 * the current leader. Only the controller answers (NOT_CONTROLLER elsewhere).
 */
public final class ListPartitionReassignmentsHandler implements ApiHandler<ListPartitionReassignmentsRequest> {

    private final Cluster cluster;
    private final Executor blocking;

    /** @param blocking where to ask the controller (its answer may wait for a pass that reads the database) */
    public ListPartitionReassignmentsHandler(Cluster cluster, Executor blocking) {
        this.cluster = cluster;
        this.blocking = blocking;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, ListPartitionReassignmentsRequest request) {
        return Blocking.run(context.vertxContext(), blocking, () -> list(request));
    }

    private ApiMessage list(ListPartitionReassignmentsRequest request) {
        ListPartitionReassignmentsResponseData response = new ListPartitionReassignmentsResponseData()
                .setThrottleTimeMs(0).setErrorCode(Errors.NONE.code());
        if (cluster.controllerId() != cluster.localNodeId()) {
            return response.setErrorCode(Errors.NOT_CONTROLLER.code())
                    .setErrorMessage("Broker " + cluster.controllerId() + " is the controller");
        }
        Map<String, OngoingTopicReassignment> byTopic = new TreeMap<>();
        cluster.reassignments().forEach((tp, target) -> {
            if (!asked(request.data().topics(), tp)) {
                return;
            }
            int leader = cluster.route(tp).leader();
            byTopic.computeIfAbsent(tp.topic(), name -> new OngoingTopicReassignment().setName(name))
                    .partitions().add(new OngoingPartitionReassignment()
                            .setPartitionIndex(tp.partition())
                            .setReplicas(leader < 0 ? List.of(target) : List.of(leader, target))
                            .setAddingReplicas(List.of(target))
                            .setRemovingReplicas(leader < 0 ? List.of() : List.of(leader)));
        });
        response.topics().addAll(byTopic.values());
        return response;
    }

    private static boolean asked(List<ListPartitionReassignmentsTopics> topics, TopicPartition tp) {
        return topics == null || topics.stream().anyMatch(topic -> topic.name().equals(tp.topic())
                && topic.partitionIndexes().contains(tp.partition()));
    }
}
