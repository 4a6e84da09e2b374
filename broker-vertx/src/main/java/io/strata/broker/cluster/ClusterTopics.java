package io.strata.broker.cluster;

import io.strata.metadata.CoordinatorSlots;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicDefinition;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics of a cluster: changed in the metadata database first (create, delete, grow, reconfigure), then in
 * this broker's {@link LogManager}; the other brokers follow when their {@link MetadataSync} sees the change
 * ({@link #follow}): they open new topics and partitions, apply configs and drop deleted topics locally (the
 * broker that served the deletion deletes the bucket's objects). Every topic of a cluster tiers, since a partition
 * moves between brokers through the bucket. The coordinator-slot topic ({@link CoordinatorSlots#TOPIC}) lives
 * only in the database. Thread-safe: the database decides races, {@link #follow} runs on the sync thread.
 */
final class ClusterTopics {
    private static final Logger LOGGER = LoggerFactory.getLogger(ClusterTopics.class);

    private final MetadataStore store;
    private final LogManager logs;
    private final Supplier<ClusterSnapshot> snapshot;
    private final Runnable refresh;

    /**
     * @param snapshot the last view of the cluster
     * @param refresh  asks for the view to be read again soon (after a change made here)
     */
    ClusterTopics(MetadataStore store, LogManager logs, Supplier<ClusterSnapshot> snapshot, Runnable refresh) {
        this.store = store;
        this.logs = logs;
        this.snapshot = snapshot;
        this.refresh = refresh;
    }

    TopicLogs create(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        requireTiered(configs);
        logs.validateNewTopic(name, partitions, replicationFactor, configs);
        int live = snapshot.get().brokers().size();
        if (replicationFactor > Math.max(1, live)) {
            throw new InvalidReplicationFactorException("Replication factor: " + replicationFactor
                    + " larger than available brokers: " + live + ".");
        }
        if (name.equals(CoordinatorSlots.TOPIC)) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        UUID topicId = UUID.randomUUID();
        if (!store.createTopic(new TopicDefinition(topicId, name, partitions, configs))) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        TopicLogs created = logs.adoptTopic(name, kafkaId(topicId), partitions, configs);
        refresh.run();
        return created;
    }

    /**
     * Deletes the topic in the database, then here with its bucket objects; the other brokers drop their local
     * copy when they see it gone. An upload a leader had in flight at that moment can still land: an orphan that
     * {@code strata inspect verify} lists.
     */
    void delete(String name) {
        if (!store.deleteTopic(topicId(name))) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        logs.deleteTopic(name);
        refresh.run();
    }

    TopicLogs addPartitions(String name, int newCount) {
        logs.validatePartitionIncrease(name, newCount);
        if (!store.addPartitions(topicId(name), newCount)) {
            throw new InvalidPartitionsException("Topic '" + name + "' has " + newCount + " or more partitions already");
        }
        TopicLogs grown = logs.addPartitions(name, newCount);
        refresh.run();
        return grown;
    }

    TopicLogs alterConfigs(String name, Map<String, String> configs) {
        requireTiered(configs);
        LogManager.validateConfigs(configs);
        if (!store.alterTopicConfigs(topicId(name), configs)) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        TopicLogs altered = logs.alterTopicConfigs(name, configs);
        refresh.run();
        return altered;
    }

    /** Makes this broker's topics what {@code next} says, coming from {@code previous}. */
    void follow(ClusterSnapshot previous, ClusterSnapshot next) {
        for (TopicDefinition gone : previous.topics().values()) {
            TopicDefinition now = next.topics().get(gone.name());
            boolean openHere = logs.topic(gone.name()).map(open -> open.topicId().equals(kafkaId(gone.topicId())))
                    .orElse(false);
            if ((now == null || !now.topicId().equals(gone.topicId())) && openHere) {
                try {
                    logs.forgetTopic(gone.name());
                    LOGGER.info("Topic {} was deleted in the cluster: dropped here", gone.name());
                } catch (RuntimeException e) {
                    LOGGER.warn("Could not drop deleted topic {} here: {}", gone.name(), e.toString());
                }
            }
        }
        for (TopicDefinition topic : next.topics().values()) {
            if (topic.name().equals(CoordinatorSlots.TOPIC)) {
                continue;
            }
            Uuid id = kafkaId(topic.topicId());
            Optional<TopicLogs> open = logs.topic(topic.name());
            if (open.isEmpty() || !open.get().topicId().equals(id) || open.get().partitions().size() < topic.partitions()) {
                try {
                    logs.adoptTopic(topic.name(), id, topic.partitions(), topic.configs());
                } catch (RuntimeException e) {
                    LOGGER.warn("Could not open topic {} ({}) here: {}", topic.name(), id, e.toString());
                }
            } else if (!open.get().record().configs().equals(topic.configs())) {
                try {
                    logs.alterTopicConfigs(topic.name(), topic.configs());
                } catch (RuntimeException e) {
                    LOGGER.warn("Could not apply the configs of topic {} here: {}", topic.name(), e.toString());
                }
            }
        }
    }

    /** The id of a topic users may change; UNKNOWN_TOPIC_OR_PARTITION for none (and for the slot topic). */
    private UUID topicId(String name) {
        TopicDefinition topic = snapshot.get().topics().get(name);
        if (topic == null || name.equals(CoordinatorSlots.TOPIC)) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        return topic.topicId();
    }

    /** A partition moves between brokers through the bucket, so every topic of a cluster tiers. */
    private static void requireTiered(Map<String, String> configs) {
        String tiered = configs.getOrDefault(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "true").trim();
        if ("false".equalsIgnoreCase(tiered)) {
            throw new InvalidConfigurationException(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG + "=false is refused"
                    + " in cluster mode: a partition moves between brokers through the bucket, so every topic tiers");
        }
    }

    static Uuid kafkaId(UUID id) {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }
}
