package io.strata.tiering;

import io.strata.index.IndexBatch;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.tiering.config.LogConfig;
import io.strata.tiering.config.TopicConfigDef;
import io.strata.tiering.log.LogDirHealth;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.RemoteLogManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic administration on this broker: creating, adopting (cluster mode), reconfiguring, growing, deleting and
 * forgetting topics, with the checks of CreateTopics and CreatePartitions and the broker's partition limit
 * ({@code strata.max.partitions}). It writes the topic catalog ({@code topics} in RocksDB, one {@link TopicRecord}
 * per topic), each partition's {@link PartitionMetadata}, the deletion intents ({@link TopicDeletions}), and changes
 * which topics the {@link LogRegistry} serves, telling its {@link LogListener}s.
 *
 * <p>A change either completes or leaves nothing behind: the partitions of a new topic or count are opened first and
 * the catalog written only once all are; a failure closes and removes what was opened.
 *
 * <p>Thread-safe. Every change (and the registration of a listener) is serialized by one lock, which also orders the
 * listener calls; the checks alone ({@link #validateNewTopic}, {@link #validatePartitionIncrease}) take no lock.
 */
final class TopicCatalog {

    private static final Logger LOGGER = LoggerFactory.getLogger(TopicCatalog.class);

    private final LogRegistry topics;
    private final RocksDbIndexStore store;
    private final PartitionDirectories directories;
    private final TopicDeletions deletions;
    private final Optional<RemoteLogManager> remote;
    private final LogDirHealth health;
    private final Clock clock;
    private final Object adminLock = new Object();
    /** The most partitions this broker holds, all topics together ({@link #limitPartitions}). */
    private volatile int maxPartitions = Integer.MAX_VALUE;

    TopicCatalog(LogRegistry topics, RocksDbIndexStore store, PartitionDirectories directories,
                 TopicDeletions deletions, Optional<RemoteLogManager> remote, LogDirHealth health, Clock clock) {
        this.topics = topics;
        this.store = store;
        this.directories = directories;
        this.deletions = deletions;
        this.remote = remote;
        this.health = health;
        this.clock = clock;
    }

    /** See {@link LogManager#addListener}. */
    void addListener(LogListener listener) {
        synchronized (adminLock) {
            topics.addListener(listener);
        }
    }

    /** See {@link LogManager#validateNewTopic}. */
    void validateNewTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        Topic.validate(name);
        if (topics.contains(name)) {
            throw new TopicExistsException("TopicLogs '" + name + "' already exists.");
        }
        if (partitions < 1) {
            throw new InvalidPartitionsException("Number of partitions must be at least 1, got " + partitions);
        }
        checkPartitionLimit(partitions);
        if (replicationFactor < 1) {
            throw new InvalidReplicationFactorException("Replication factor must be at least 1, got "
                    + replicationFactor);
        }
        validateConfigs(configs);
        directories.leftoverData(name, 0, partitions).ifPresent(directory -> {
            throw new TopicExistsException("Topic '" + name + "' is marked for deletion: " + directory
                    + " still holds the data of a deleted incarnation (it is removed at the next start)");
        });
        if (Topic.hasCollisionChars(name)) {
            for (String existing : topics.names()) {
                if (Topic.hasCollision(name, existing)) {
                    throw new InvalidTopicException("TopicLogs '" + name
                            + "' collides with existing topic '" + existing + "' ('.' and '_' are interchangeable"
                            + " in metric names)");
                }
            }
        }
    }

    /** See {@link LogManager#limitPartitions}. */
    void limitPartitions(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max partitions must be >= 1: " + max);
        }
        this.maxPartitions = max;
    }

    private void checkPartitionLimit(int adding) {
        long held = topics.partitionCount();
        if (held + adding > maxPartitions) {
            throw new InvalidPartitionsException("Adding " + adding + " partition(s) to the " + held
                    + " this broker holds would exceed its limit of " + maxPartitions
                    + " partitions (strata.max.partitions)");
        }
    }

    /** See {@link LogManager#createTopic}. */
    TopicLogs createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        synchronized (adminLock) {
            validateNewTopic(name, partitions, replicationFactor, configs);
            TopicLogs topic = openAndStore(new TopicRecord(name, UUID.randomUUID(), partitions, replicationFactor,
                    new HashMap<>(configs), clock.millis()));
            LOGGER.info("Created topic {} ({}) with {} partition(s){}", name, topic.topicId(), partitions,
                    configs.isEmpty() ? "" : " and configs " + configs);
            return topic;
        }
    }

    /**
     * Opens the partitions of a new topic, stores it and serves it; a failure leaves nothing behind. Under the
     * admin lock.
     */
    private TopicLogs openAndStore(TopicRecord record) {
        LogConfig config = directories.config(record);
        List<PartitionLog> logs = openNewPartitions(record, 0, config);
        try {
            storeTopic(record);
        } catch (RuntimeException e) {
            discardNewPartitions(record, 0, logs, e);
            throw e;
        }
        TopicLogs topic = new TopicLogs(record, LogManager.toKafka(record.topicId()), config, List.copyOf(logs));
        remote.ifPresent(r -> r.attach(topic));
        topics.put(topic);
        topics.opened(topic.partitions());
        return topic;
    }

    /** See {@link LogManager#adoptTopic}. */
    TopicLogs adoptTopic(String name, Uuid topicId, int partitions, Map<String, String> configs) {
        synchronized (adminLock) {
            TopicLogs existing = topics.get(name);
            if (existing != null) {
                if (!existing.topicId().equals(topicId)) {
                    throw new TopicExistsException("Topic '" + name + "' exists on this broker with id "
                            + existing.topicId() + ", not " + topicId + "; forget it first");
                }
                return partitions > existing.partitions().size() ? growPartitions(existing, partitions) : existing;
            }
            Topic.validate(name);
            if (partitions < 1) {
                throw new InvalidPartitionsException("Number of partitions must be at least 1, got " + partitions);
            }
            validateConfigs(configs);
            directories.leftoverData(name, 0, partitions).ifPresent(directory -> {
                throw new TopicExistsException("Cannot adopt topic '" + name + "' yet: " + directory
                        + " still holds the data of a deleted incarnation (it is removed at the next start)");
            });
            TopicLogs topic = openAndStore(new TopicRecord(name, new UUID(topicId.getMostSignificantBits(),
                    topicId.getLeastSignificantBits()), partitions, (short) 1, new HashMap<>(configs), clock.millis()));
            LOGGER.info("Adopted topic {} ({}) with {} partition(s){}", name, topicId, partitions,
                    configs.isEmpty() ? "" : " and configs " + configs);
            return topic;
        }
    }

    /** See {@link LogManager#forgetTopic}. */
    void forgetTopic(String name) {
        synchronized (adminLock) {
            TopicLogs topic = topics.get(name);
            if (topic == null) {
                throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
            }
            topics.remove(topic);
            remote.ifPresent(r -> awaitQuietly(r.forgetTopic(topic.record()), "the remote tier's work on " + name));
            boolean allRenamed = dropLocally(topic, false).allRenamed();
            if (!allRenamed) {
                for (PartitionLog log : topic.partitions()) {
                    if (Files.exists(log.directory())) {
                        PartitionDirectories.deleteRecursively(log.directory());
                    }
                }
            }
            topics.deleted(topic);
            LOGGER.info("Forgot topic {} ({}) locally; the bucket is untouched", name, topic.topicId());
        }
    }

    private static void awaitQuietly(CompletableFuture<Void> future, String what) {
        try {
            future.get(PartitionReopen.CLAIM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOGGER.warn("Not waiting any longer for {}: {}", what, e.toString());
        }
    }

    /**
     * Serves {@code fresh} in place of {@code old}, partition {@code old.topicPartition()} of {@code reopened}, once
     * {@link PartitionReopen} opened it from the bucket; when the topic changed meanwhile (deleted, recreated, its log
     * replaced), {@code fresh} is discarded instead.
     *
     * @throws IllegalStateException when the topic changed meanwhile
     */
    void installReopened(TopicLogs reopened, PartitionLog old, PartitionLog fresh) {
        TopicPartition tp = old.topicPartition();
        synchronized (adminLock) {
            TopicLogs current = topics.get(tp.topic());
            if (current == null || !current.topicId().equals(reopened.topicId())
                    || current.partitions().get(tp.partition()) != old) {
                fresh.closeForDeletion();
                throw new IllegalStateException("topic " + tp.topic() + " changed while " + tp + " was reopened");
            }
            List<PartitionLog> logs = new ArrayList<>(current.partitions());
            logs.set(tp.partition(), fresh);
            fresh.updateConfig(current.config());
            replaceTopic(new TopicLogs(current.record(), current.topicId(), current.config(), logs));
            topics.opened(List.of(fresh));
        }
    }

    /** See {@link LogManager#validateConfigs}. */
    static void validateConfigs(Map<String, String> configs) {
        try {
            TopicConfigDef.validate(configs);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    /** See {@link LogManager#alterTopicConfigs}. */
    TopicLogs alterTopicConfigs(String name, Map<String, String> configs) {
        synchronized (adminLock) {
            TopicLogs topic = existingTopic(name);
            validateConfigs(configs);
            TopicRecord record = topic.record().withConfigs(configs);
            LogConfig config = directories.config(record);
            storeTopic(record);
            for (PartitionLog log : topic.partitions()) {
                log.updateConfig(config);
                PartitionMetadata.of(record).write(log.directory());
            }
            TopicLogs updated = new TopicLogs(record, topic.topicId(), config, topic.partitions());
            replaceTopic(updated);
            LOGGER.info("Altered the configs of topic {}: {}", name, configs);
            return updated;
        }
    }

    /** See {@link LogManager#validatePartitionIncrease}. */
    void validatePartitionIncrease(String name, int newCount) {
        int current = existingTopic(name).partitions().size();
        if (newCount < current) {
            throw new InvalidPartitionsException("Topic currently has " + current
                    + " partitions, which is higher than the requested " + newCount + ".");
        }
        if (newCount == current) {
            throw new InvalidPartitionsException("Topic already has " + current + " partitions.");
        }
        checkPartitionLimit(newCount - current);
        directories.leftoverData(name, current, newCount).ifPresent(directory -> {
            throw new InvalidPartitionsException("Cannot add partitions to '" + name + "' yet: " + directory
                    + " still holds the data of a deleted incarnation of the topic (it is removed at the next start)");
        });
    }

    /**
     * Opens partitions {@code from} to {@code record.partitions() - 1} of a new topic or count; if one fails,
     * those already opened are discarded and the failure is rethrown.
     */
    private List<PartitionLog> openNewPartitions(TopicRecord record, int from, LogConfig config) {
        List<PartitionLog> opened = new ArrayList<>(record.partitions() - from);
        try {
            for (int p = from; p < record.partitions(); p++) {
                opened.add(directories.openPartition(record, p, config, true));
            }
            return opened;
        } catch (RuntimeException e) {
            discardNewPartitions(record, from, opened, e);
            throw e;
        }
    }

    /**
     * Undoes the opening of {@code opened}, partitions {@code from} onwards (and of the directory of the one
     * after them, whose opening failed): closes their files, removes their index entries and directories, at once.
     */
    private void discardNewPartitions(TopicRecord record, int from, List<PartitionLog> opened, Throwable cause) {
        LOGGER.warn("Could not add partitions to topic {} ({}); removing the {} partition(s) already opened",
                record.name(), cause.toString(), opened.size());
        for (PartitionLog log : opened) {
            log.closeForDeletion();
        }
        try (IndexBatch writes = store.newBatch()) {
            for (PartitionLog log : opened) {
                store.deletePartition(writes, log.key());
            }
            writes.commit(true);
        } catch (RuntimeException e) {
            LOGGER.warn("Could not remove the index entries of the new partitions of {}: {}", record.name(), e.toString());
        }
        for (int p = from; p <= from + opened.size() && p < record.partitions(); p++) {
            Path directory = directories.partitionDir(new TopicPartition(record.name(), p));
            if (Files.isDirectory(directory)) {
                PartitionDirectories.deleteRecursively(directory);
            }
        }
    }

    /** See {@link LogManager#addPartitions}. */
    TopicLogs addPartitions(String name, int newCount) {
        synchronized (adminLock) {
            validatePartitionIncrease(name, newCount);
            return growPartitions(existingTopic(name), newCount);
        }
    }

    /** Raises the partition count of {@code topic} to {@code newCount}; under the admin lock. */
    private TopicLogs growPartitions(TopicLogs topic, int newCount) {
        String name = topic.name();
        TopicRecord record = topic.record().withPartitions(newCount);
        List<PartitionLog> added = openNewPartitions(record, topic.partitions().size(), topic.config());
        try {
            storeTopic(record);
        } catch (RuntimeException e) {
            discardNewPartitions(record, topic.partitions().size(), added, e);
            throw e;
        }
        List<PartitionLog> logs = new ArrayList<>(topic.partitions());
        for (PartitionLog log : added) {
            remote.ifPresent(r -> r.attach(log));
            logs.add(log);
        }
        TopicLogs updated = new TopicLogs(record, topic.topicId(), topic.config(), logs);
        replaceTopic(updated);
        topics.opened(logs.subList(topic.partitions().size(), newCount));
        LOGGER.info("Increased the partitions of topic {} from {} to {}", name, topic.partitions().size(),
                newCount);
        return updated;
    }

    private TopicLogs existingTopic(String name) {
        TopicLogs topic = topics.get(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        return topic;
    }

    /** Writes {@code record} to the catalog, durably. */
    void storeTopic(TopicRecord record) {
        try (IndexBatch writes = store.newBatch()) {
            store.topics().put(writes, record);
            writes.commit(true);
        }
    }

    /**
     * Serves {@code updated} in place of the topic's previous version; the remote tier's next pass sees
     * the changed definition and rewrites the topic manifest.
     */
    private void replaceTopic(TopicLogs updated) {
        topics.put(updated);
    }

    /** See {@link LogManager#deleteTopic}. */
    void deleteTopic(String name) {
        synchronized (adminLock) {
            TopicLogs topic = topics.get(name);
            if (topic == null) {
                throw new UnknownTopicOrPartitionException("TopicLogs '" + name + "' does not exist.");
            }
            topics.remove(topic);
            LocalDrop dropped = dropLocally(topic, true);
            deletions.finish(topic.record(), dropped.allRenamed());
            remote.ifPresent(r -> r.groupOffsets().markChanged(dropped.groups()));
            topics.deleted(topic);
            LOGGER.info("Deleted topic {} ({})", name, topic.topicId());
        }
    }

    /**
     * What {@link #dropLocally} did.
     *
     * @param allRenamed whether every partition directory was renamed for deletion (else some are still there)
     * @param groups     the groups whose committed offsets of the topic were removed
     */
    private record LocalDrop(boolean allRenamed, Set<String> groups) {
    }

    /**
     * Closes the topic's logs, removes its RocksDB entries (with a durable deletion intent when
     * {@code recordIntent}) and renames its directories for deletion in the background. Under the admin lock.
     */
    private LocalDrop dropLocally(TopicLogs topic, boolean recordIntent) {
        for (PartitionLog log : topic.partitions()) {
            log.closeForDeletion();
        }
        Set<String> groupsOfTopic;
        try (IndexBatch writes = store.newBatch()) {
            for (PartitionLog log : topic.partitions()) {
                store.deletePartition(writes, log.key());
            }
            store.topics().delete(writes, topic.name());
            if (recordIntent) {
                store.topicDeletions().put(writes, topic.record());
            }
            groupsOfTopic = store.groupOffsets().deleteTopic(writes, topic.name());
            writes.commit(true);
        }
        boolean allRenamed = true;
        for (PartitionLog log : topic.partitions()) {
            allRenamed &= directories.deleteDirectoryLater(log.directory(), topic.topicId());
            health.forget(log.topicPartition());
        }
        return new LocalDrop(allRenamed, groupsOfTopic);
    }
}
