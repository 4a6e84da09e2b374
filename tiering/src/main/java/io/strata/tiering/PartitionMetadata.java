package io.strata.tiering;

import io.strata.index.TopicRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code <log.dirs>/<topic>-<partition>/partition.metadata}: what a partition directory needs to be
 * re-attached to its topic when the RocksDB catalog is lost (Kafka keeps the topic id in a file of the
 * same name). Written atomically ({@link PropertiesFile}) when the partition is opened and when the topic's
 * configs change. Layout, one {@code key=value} per line:
 * <pre>
 *   # Strata partition directory; do not edit
 *   config.retention.ms=-1
 *   created.ms=1733572800000
 *   replication.factor=1
 *   topic.id=5b0c6a1e-3b1f-4c55-9f0e-2d7b6f8e9a10
 *   topic.name=orders
 *   version=1
 * </pre>
 * {@code config.<name>}: each topic-level config override. The partition number and the partition count
 * are not in the file: they come from the directory names present.
 */
record PartitionMetadata(String topicName, UUID topicId, short replicationFactor, long createdMs,
                         Map<String, String> configs) {

    static final String FILE = "partition.metadata";
    private static final String CONFIG = "config.";

    static PartitionMetadata of(TopicRecord topic) {
        return new PartitionMetadata(topic.name(), topic.topicId(), topic.replicationFactor(), topic.createdMs(),
                topic.configs());
    }

    /** The file in {@code partitionDir}; empty when it is absent; an error naming the file when it is unreadable. */
    static Optional<PartitionMetadata> read(Path partitionDir) {
        Path file = partitionDir.resolve(FILE);
        return PropertiesFile.read(file).map(entries -> {
            try {
                Map<String, String> configs = new HashMap<>();
                entries.forEach((key, value) -> {
                    if (key.startsWith(CONFIG)) {
                        configs.put(key.substring(CONFIG.length()), value);
                    }
                });
                return new PartitionMetadata(entries.get("topic.name"), UUID.fromString(entries.get("topic.id")),
                        Short.parseShort(entries.getOrDefault("replication.factor", "1")),
                        Long.parseLong(entries.getOrDefault("created.ms", "0")), Map.copyOf(configs));
            } catch (RuntimeException e) {
                throw new IllegalStateException("Cannot read " + file + " (" + e + "); move the file away to rebuild"
                        + " the partition with a new topic id", e);
            }
        });
    }

    void write(Path partitionDir) {
        Map<String, String> entries = new HashMap<>();
        entries.put("version", "1");
        entries.put("topic.name", topicName);
        entries.put("topic.id", topicId.toString());
        entries.put("replication.factor", Short.toString(replicationFactor));
        entries.put("created.ms", Long.toString(createdMs));
        configs.forEach((name, value) -> entries.put(CONFIG + name, value));
        if (Files.isDirectory(partitionDir)) {
            PropertiesFile.write(partitionDir.resolve(FILE), entries, "Strata partition directory; do not edit");
        }
    }

    TopicRecord toTopicRecord(int partitions) {
        return new TopicRecord(topicName, topicId, partitions, replicationFactor, configs, createdMs);
    }
}
