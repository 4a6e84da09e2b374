package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.cluster.PartitionReplicas;
import org.apache.kafka.common.TopicPartition;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;

/**
 * DescribeTopicPartitions (v0), which {@code Admin.describeTopics} uses: the same view as Metadata
 * (this broker is leader, only replica and ISR at epoch 0), topics in name order, paged by
 * {@code ResponsePartitionLimit} with a cursor as Kafka does. An empty topic list means every topic.
 */
public final class DescribeTopicPartitionsHandler implements ApiHandler<DescribeTopicPartitionsRequest> {

    private final LogManager logs;
    private final Cluster cluster;

    public DescribeTopicPartitionsHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TOPIC_PARTITIONS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DescribeTopicPartitionsRequest request) {
        DescribeTopicPartitionsRequestData data = request.data();
        TreeSet<String> names = new TreeSet<>();
        if (data.topics().isEmpty()) {
            logs.topics().forEach(t -> names.add(t.name()));
        } else {
            data.topics().forEach(t -> names.add(t.name()));
        }
        DescribeTopicPartitionsRequestData.Cursor cursor = data.cursor();
        int budget = Math.max(1, data.responsePartitionLimit());
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData().setThrottleTimeMs(0);
        for (String name : cursor == null ? names : names.tailSet(cursor.topicName(), true)) {
            Optional<TopicLogs> topic = logs.topic(name);
            DescribeTopicPartitionsResponseTopic out = new DescribeTopicPartitionsResponseTopic()
                    .setName(name)
                    .setIsInternal(false)
                    .setTopicAuthorizedOperations(Integer.MIN_VALUE);
            response.topics().add(out);
            if (topic.isEmpty()) {
                out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setTopicId(Uuid.ZERO_UUID);
                continue;
            }
            out.setErrorCode(Errors.NONE.code()).setTopicId(topic.get().topicId());
            int first = cursor != null && cursor.topicName().equals(name) ? Math.max(0, cursor.partitionIndex()) : 0;
            int count = topic.get().partitions().size();
            for (int p = first; p < count; p++) {
                if (budget == 0) {
                    response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(p));
                    return Future.succeededFuture(response);
                }
                out.partitions().add(partition(new TopicPartition(name, p)));
                budget--;
            }
        }
        return Future.succeededFuture(response);
    }

    private DescribeTopicPartitionsResponsePartition partition(TopicPartition tp) {
        PartitionReplicas replicas = PartitionReplicas.of(cluster.route(tp));
        return new DescribeTopicPartitionsResponsePartition()
                .setErrorCode(replicas.error().code())
                .setPartitionIndex(tp.partition())
                .setLeaderId(replicas.leader())
                .setLeaderEpoch(replicas.leaderEpoch())
                .setReplicaNodes(replicas.replicas())
                .setIsrNodes(replicas.replicas())
                .setEligibleLeaderReplicas(List.of())
                .setLastKnownElr(List.of())
                .setOfflineReplicas(List.of());
    }
}
