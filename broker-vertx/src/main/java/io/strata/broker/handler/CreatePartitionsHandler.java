package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

/**
 * CreatePartitions (v0-3), {@code kafka-topics --alter --partitions} and {@code Admin.createPartitions}:
 * raises a topic's partition count ({@link LogManager#addPartitions}); a count that is not higher gets
 * INVALID_PARTITIONS. Assignments, when given, must name this broker alone for each new partition
 * (INVALID_REPLICA_ASSIGNMENT otherwise). {@code validateOnly} checks without changing anything. A topic
 * named twice in one request gets INVALID_REQUEST.
 */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {

    private final LogManager logs;
    private final Cluster cluster;
    private final int nodeId;

    public CreatePartitionsHandler(LogManager logs, Cluster cluster, int nodeId) {
        this.logs = logs;
        this.cluster = cluster;
        this.nodeId = nodeId;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, CreatePartitionsRequest request) {
        boolean validateOnly = request.data().validateOnly();
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            CreatePartitionsResponseData response = new CreatePartitionsResponseData().setThrottleTimeMs(0);
            Set<String> seen = new HashSet<>();
            Set<String> duplicated = new HashSet<>();
            for (CreatePartitionsTopic topic : request.data().topics()) {
                if (!seen.add(topic.name())) {
                    duplicated.add(topic.name());
                }
            }
            Set<String> answered = new HashSet<>();
            for (CreatePartitionsTopic topic : request.data().topics()) {
                if (!answered.add(topic.name())) {
                    continue;
                }
                CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name())
                        .setErrorCode(Errors.NONE.code());
                if (duplicated.contains(topic.name())) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code())
                            .setErrorMessage("Duplicate topic in request: " + topic.name());
                } else {
                    increase(topic, validateOnly, result);
                }
                response.results().add(result);
            }
            return response;
        });
    }

    private void increase(CreatePartitionsTopic topic, boolean validateOnly, CreatePartitionsTopicResult result) {
        try {
            logs.validatePartitionIncrease(topic.name(), topic.count());
            checkAssignments(topic);
            if (!validateOnly) {
                cluster.addPartitions(topic.name(), topic.count());
            }
        } catch (RuntimeException e) {
            result.setErrorCode(KafkaErrors.toError(e, "Adding partitions to " + topic.name()).code())
                    .setErrorMessage(KafkaErrors.message(e));
        }
    }

    private void checkAssignments(CreatePartitionsTopic topic) {
        List<CreatePartitionsAssignment> assignments = topic.assignments();
        if (assignments == null) {
            return;
        }
        int added = topic.count() - logs.topic(topic.name()).map(t -> t.partitions().size()).orElse(0);
        if (assignments.size() != added) {
            throw new InvalidReplicaAssignmentException("Increasing the number of partitions by " + added
                    + " but " + assignments.size() + " assignments provided.");
        }
        for (CreatePartitionsAssignment assignment : assignments) {
            if (!assignment.brokerIds().equals(List.of(nodeId))) {
                throw new InvalidReplicaAssignmentException("Replica assignment " + assignment.brokerIds()
                        + " is not possible: this cluster is the single broker " + nodeId);
            }
        }
    }
}
