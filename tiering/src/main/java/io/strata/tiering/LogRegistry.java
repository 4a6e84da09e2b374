package io.strata.tiering;

import io.strata.tiering.log.PartitionLog;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The topics this broker serves, by name and by id, with their open partition logs, and the {@link LogListener}s told
 * when logs come and go. Lookups are concurrent and lock-free; changes come from {@link TopicCatalog} (and, before
 * anything is served, from {@link DataDirectoryOpening}), serialized by the catalog's lock, which also orders the
 * listener calls. Thread-safe.
 */
final class LogRegistry {

    private final Map<String, TopicLogs> byName = new ConcurrentHashMap<>();
    private final Map<Uuid, TopicLogs> byId = new ConcurrentHashMap<>();
    private final List<LogListener> listeners = new CopyOnWriteArrayList<>();

    /** Serves {@code topic}, in place of any earlier version of it. */
    void put(TopicLogs topic) {
        byName.put(topic.name(), topic);
        byId.put(topic.topicId(), topic);
    }

    /** Stops serving {@code topic}. */
    void remove(TopicLogs topic) {
        byName.remove(topic.name());
        byId.remove(topic.topicId());
    }

    Collection<TopicLogs> all() {
        return byName.values();
    }

    /** The topic named {@code name}, or null. */
    TopicLogs get(String name) {
        return byName.get(name);
    }

    Optional<TopicLogs> topic(Uuid topicId) {
        return Optional.ofNullable(byId.get(topicId));
    }

    boolean contains(String name) {
        return byName.containsKey(name);
    }

    Set<String> names() {
        return byName.keySet();
    }

    /** The log of {@code tp}; empty when the topic or the partition is not served here. */
    Optional<PartitionLog> log(TopicPartition tp) {
        TopicLogs topic = byName.get(tp.topic());
        if (topic == null || tp.partition() < 0 || tp.partition() >= topic.partitions().size()) {
            return Optional.empty();
        }
        return Optional.of(topic.partitions().get(tp.partition()));
    }

    /** Partitions served, all topics together. */
    long partitionCount() {
        return byName.values().stream().mapToLong(topic -> topic.partitions().size()).sum();
    }

    /** Registers {@code listener} after replaying {@link LogListener#partitionOpened} for every open partition. */
    void addListener(LogListener listener) {
        for (TopicLogs topic : byName.values()) {
            topic.partitions().forEach(listener::partitionOpened);
        }
        listeners.add(listener);
    }

    void opened(List<PartitionLog> logs) {
        for (LogListener listener : listeners) {
            logs.forEach(listener::partitionOpened);
        }
    }

    void deleted(TopicLogs topic) {
        listeners.forEach(listener -> listener.topicDeleted(topic));
    }
}
