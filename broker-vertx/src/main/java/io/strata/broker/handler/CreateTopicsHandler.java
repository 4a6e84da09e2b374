package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import io.strata.tiering.config.TopicConfigDef;
import io.strata.tiering.config.TopicConfigValue;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;

/**
 * CreateTopics (v2-7). {@code -1} partitions or replication factor take the broker defaults; a
 * manual replica assignment gives the partition count. Any replication factor of at least 1 is
 * accepted and recorded (in cluster mode up to the number of live brokers, as Kafka checks), and the effective
 * one, 1, is reported: the leader holds the only replica, durability comes from the object store (see the
 * README). {@code validateOnly} checks
 * without creating.
 */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {

    private final LogManager logs;
    private final Cluster cluster;
    private final TopicDefaults defaults;

    public CreateTopicsHandler(LogManager logs, Cluster cluster, TopicDefaults defaults) {
        this.logs = logs;
        this.cluster = cluster;
        this.defaults = defaults;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, CreateTopicsRequest request) {
        boolean validateOnly = request.data().validateOnly();
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            CreateTopicsResponseData response = new CreateTopicsResponseData().setThrottleTimeMs(0);
            Set<String> seen = new HashSet<>();
            Set<String> duplicated = new HashSet<>();
            for (CreatableTopic topic : request.data().topics()) {
                if (!seen.add(topic.name())) {
                    duplicated.add(topic.name());
                }
            }
            for (CreatableTopic topic : request.data().topics()) {
                if (response.topics().find(topic.name()) != null) {
                    continue;
                }
                if (duplicated.contains(topic.name())) {
                    response.topics().add(failure(topic.name(), Errors.INVALID_REQUEST,
                            "Create topics request from client contains multiple entries for topic " + topic.name()));
                    continue;
                }
                response.topics().add(create(topic, validateOnly));
            }
            return response;
        });
    }

    private CreatableTopicResult create(CreatableTopic topic, boolean validateOnly) {
        int partitions = !topic.assignments().isEmpty() ? topic.assignments().size()
                : topic.numPartitions() == -1 ? defaults.partitions() : topic.numPartitions();
        short replicationFactor = !topic.assignments().isEmpty()
                ? (short) topic.assignments().iterator().next().brokerIds().size()
                : topic.replicationFactor() == -1 ? defaults.replicationFactor() : topic.replicationFactor();
        Map<String, String> configs = new HashMap<>();
        for (CreatableTopicConfig config : topic.configs()) {
            configs.put(config.name(), config.value());
        }
        try {
            CreatableTopicResult result = new CreatableTopicResult()
                    .setName(topic.name())
                    .setErrorCode(Errors.NONE.code())
                    .setNumPartitions(partitions)
                    .setReplicationFactor((short) 1)
                    .setConfigs(describe(configs));
            if (validateOnly) {
                logs.validateNewTopic(topic.name(), partitions, replicationFactor, configs);
            } else {
                TopicLogs created = cluster.createTopic(topic.name(), partitions, replicationFactor, configs);
                result.setTopicId(created.topicId());
            }
            return result;
        } catch (RuntimeException e) {
            return failure(topic.name(), KafkaErrors.toError(e, "Creating topic " + topic.name()),
                    KafkaErrors.message(e));
        }
    }

    private java.util.List<CreatableTopicConfigs> describe(Map<String, String> overrides) {
        java.util.List<CreatableTopicConfigs> described =
                new java.util.ArrayList<>();
        for (TopicConfigValue value : TopicConfigDef.describe(logs.topicDefaults(), overrides)) {
            described.add(new CreatableTopicConfigs()
                    .setName(value.name())
                    .setValue(value.value())
                    .setReadOnly(false)
                    .setConfigSource(value.source().id())
                    .setIsSensitive(false));
        }
        return described;
    }

    private static CreatableTopicResult failure(String name, Errors error, String message) {
        return new CreatableTopicResult()
                .setName(name)
                .setErrorCode(error.code())
                .setErrorMessage(message)
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1)
                .setConfigs(null);
    }
}
