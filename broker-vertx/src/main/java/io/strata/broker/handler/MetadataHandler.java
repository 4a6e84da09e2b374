package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.cluster.ClusterNode;
import io.strata.broker.cluster.PartitionReplicas;
import org.apache.kafka.common.TopicPartition;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata (all versions Kafka 4.1 accepts): the live brokers and each partition's leader and leader epoch as
 * {@link Cluster} knows them, the leader being the only replica and the whole ISR ({@link PartitionReplicas}); in
 * single-broker mode this broker leads every partition at epoch 0. Unknown topics are created when
 * {@code auto.create.topics.enable} and the request allow it; the response waits for the creation,
 * so clients see the new topic at once. A topic asked for by id (v12+, {@code Admin.describeTopics} with
 * topic ids, {@code kafka-topics --describe --topic-id}) is answered with its name and id, or with
 * {@code UNKNOWN_TOPIC_ID} and no name; it is never auto-created.
 */
public final class MetadataHandler implements ApiHandler<MetadataRequest> {

    private static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private final LogManager logs;
    private final Cluster cluster;
    private final TopicDefaults defaults;

    public MetadataHandler(LogManager logs, Cluster cluster, TopicDefaults defaults) {
        this.logs = logs;
        this.cluster = cluster;
        this.defaults = defaults;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, MetadataRequest request) {
        MetadataRequestData data = request.data();
        if (data.topics() == null) {
            return Future.succeededFuture(response(context, describe(logs.topics())));
        }
        List<MetadataResponseTopic> found = new ArrayList<>();
        Set<String> toCreate = new LinkedHashSet<>();
        boolean autoCreate = defaults.autoCreateEnabled()
                && (context.apiVersion() < 4 || data.allowAutoTopicCreation());
        for (MetadataRequestData.MetadataRequestTopic requested : data.topics()) {
            if (context.apiVersion() < 12 && (requested.name() == null || !Uuid.ZERO_UUID.equals(requested.topicId()))) {
                // As Kafka: topic ids only from v12; before it a topic's name cannot be null (nor in the response)
                found.add(error(requested.name() == null ? "" : requested.name(), Uuid.ZERO_UUID,
                        Errors.INVALID_REQUEST));
                continue;
            }
            // By id when an id is given, as Kafka decides (clients leave the name empty then, not null)
            boolean byId = requested.name() == null || !Uuid.ZERO_UUID.equals(requested.topicId());
            Optional<TopicLogs> topic = byId ? logs.topic(requested.topicId()) : logs.topic(requested.name());
            if (topic.isPresent()) {
                found.add(describe(topic.get()));
            } else if (byId) {
                found.add(error(null, requested.topicId(), Errors.UNKNOWN_TOPIC_ID));
            } else if (!Topic.isValid(requested.name())) {
                found.add(error(requested.name(), Uuid.ZERO_UUID, Errors.INVALID_TOPIC_EXCEPTION));
            } else if (autoCreate && !Topic.isInternal(requested.name())) {
                toCreate.add(requested.name());
            } else {
                found.add(error(requested.name(), Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION));
            }
        }
        if (toCreate.isEmpty()) {
            return Future.succeededFuture(response(context, found));
        }
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> createAll(toCreate))
                .map(created -> {
                    found.addAll(created);
                    return response(context, found);
                });
    }

    private List<MetadataResponseTopic> createAll(Collection<String> names) {
        List<MetadataResponseTopic> created = new ArrayList<>();
        for (String name : names) {
            try {
                created.add(describe(cluster.createTopic(name, defaults.partitions(), defaults.replicationFactor(),
                        Map.of())));
            } catch (TopicExistsException raced) {
                created.add(logs.topic(name).map(this::describe)
                        .orElse(error(name, Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_OR_PARTITION)));
            } catch (RuntimeException e) {
                created.add(error(name, Uuid.ZERO_UUID, KafkaErrors.toError(e, "Auto-creating topic " + name)));
            }
        }
        return created;
    }

    private List<MetadataResponseTopic> describe(Collection<TopicLogs> topics) {
        List<MetadataResponseTopic> described = new ArrayList<>(topics.size());
        for (TopicLogs topic : topics) {
            described.add(describe(topic));
        }
        return described;
    }

    private MetadataResponseTopic describe(TopicLogs topic) {
        MetadataResponseTopic result = new MetadataResponseTopic()
                .setErrorCode(Errors.NONE.code())
                .setName(topic.name())
                .setTopicId(topic.topicId())
                .setIsInternal(false)
                .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        for (int p = 0; p < topic.partitions().size(); p++) {
            PartitionReplicas replicas = PartitionReplicas.of(cluster.route(new TopicPartition(topic.name(), p)));
            result.partitions().add(new MetadataResponsePartition()
                    .setErrorCode(replicas.error().code())
                    .setPartitionIndex(p)
                    .setLeaderId(replicas.leader())
                    .setLeaderEpoch(replicas.leaderEpoch())
                    .setReplicaNodes(replicas.replicas())
                    .setIsrNodes(replicas.replicas())
                    .setOfflineReplicas(List.of()));
        }
        return result;
    }

    private static MetadataResponseTopic error(String name, Uuid topicId, Errors error) {
        return new MetadataResponseTopic()
                .setErrorCode(error.code())
                .setName(name)
                .setTopicId(topicId)
                .setIsInternal(false)
                .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
    }

    private MetadataResponseData response(RequestContext context, List<MetadataResponseTopic> topics) {
        MetadataResponseData response = new MetadataResponseData()
                .setThrottleTimeMs(0)
                .setClusterId(cluster.clusterId())
                .setControllerId(cluster.controllerId())
                .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        for (ClusterNode node : cluster.brokers()) {
            response.brokers().add(new MetadataResponseBroker()
                    .setNodeId(node.nodeId())
                    .setHost(node.host())
                    .setPort(node.port())
                    .setRack(node.rack().orElse(null)));
        }
        for (MetadataResponseTopic topic : topics) {
            if (response.topics().find(topic.name()) == null || topic.name() == null) {
                response.topics().add(topic);
            }
        }
        return response;
    }
}
