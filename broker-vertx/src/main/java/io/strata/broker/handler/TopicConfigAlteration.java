package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.requests.ApiError;

/**
 * One resource of an AlterConfigs or IncrementalAlterConfigs request: for a TOPIC, the new overrides
 * are computed from the current ones, validated, and (unless {@code validateOnly}) stored and applied
 * through {@link LogManager#alterTopicConfigs}. Broker settings are read at start-up only, so a BROKER
 * resource is refused as Kafka refuses configs that cannot be updated dynamically; other resource types
 * are not served. Stateless.
 */
final class TopicConfigAlteration {

    private TopicConfigAlteration() {
    }

    /**
     * @param change from the topic's current overrides to its new ones; may throw an
     *               {@link org.apache.kafka.common.errors.ApiException} for an invalid operation
     */
    static ApiError apply(LogManager logs, Cluster cluster, byte resourceType, String resourceName, boolean validateOnly,
                          UnaryOperator<Map<String, String>> change) {
        try {
            ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
            if (type == ConfigResource.Type.BROKER) {
                // No broker config is ever set dynamically, so deleting some (kafka-reassign-partitions --verify
                // clears its replication throttles this way) leaves nothing to do; setting one is refused
                if (!change.apply(Map.of()).isEmpty()) {
                    throw new InvalidRequestException("Cannot update broker configs dynamically: Strata reads its"
                            + " settings at start-up from the properties file and the environment");
                }
                return ApiError.NONE;
            }
            if (type != ConfigResource.Type.TOPIC) {
                throw new InvalidRequestException("Strata does not alter " + type + " configs");
            }
            TopicLogs topic = logs.topic(resourceName).orElseThrow(() ->
                    new UnknownTopicOrPartitionException("Topic '" + resourceName + "' does not exist."));
            Map<String, String> updated = change.apply(topic.record().configs());
            if (validateOnly) {
                LogManager.validateConfigs(updated);
            } else {
                cluster.alterTopicConfigs(resourceName, updated);
            }
            return ApiError.NONE;
        } catch (RuntimeException e) {
            return new ApiError(KafkaErrors.toError(e, "Altering the configs of " + resourceName),
                    KafkaErrors.message(e));
        }
    }
}
