package io.strata.tiering;

import io.strata.index.TopicRecord;
import io.strata.tiering.log.SegmentFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the data directory and the topic catalog into agreement at start-up, without ever deleting data
 * because an index is missing. Every entry of the data directory is one of:
 * <ul>
 *   <li>the broker's own ({@code rocksdb/}, {@code s3/}, {@code s3.conf}, {@code s3.log} of the embedded bucket,
 *       {@code meta.properties},
 *       the clean-shutdown marker): untouched here;</li>
 *   <li>a partition directory {@code <topic>-<partition>} (a valid Kafka topic name): kept when the catalog
 *       lists it; removed only when a pending deletion of that very topic lists it; rebuilt into the catalog
 *       when the catalog was empty (lost or moved away); otherwise, if it holds data, the broker refuses to
 *       start ({@link UnexplainedDataException}) rather than guess;</li>
 *   <li>a directory renamed for deletion ({@code <topic>-<partition>.<topicId>-delete}, only ever made
 *       after the deletion was committed): removed;</li>
 *   <li>anything else (a user's {@code my-backup-2024}): left alone, logged.</li>
 * </ul>
 * Stateless apart from its inputs; runs once per start, before the logs open.
 */
final class DataDirectoryReconciler {

    private static final Logger LOGGER = LoggerFactory.getLogger(DataDirectoryReconciler.class);
    static final String DELETED_DIRECTORY_SUFFIX = "-delete";
    private static final Pattern PARTITION_DIRECTORY = Pattern.compile("(.+)-(\\d{1,9})");
    private static final Pattern RENAMED_FOR_DELETION = Pattern.compile(".+-\\d+\\..+" + DELETED_DIRECTORY_SUFFIX);
    private static final Set<String> OWN = Set.of(LogManager.INDEX_DIRECTORY, LogManager.CLEAN_SHUTDOWN_FILE,
            DataDirectoryMeta.FILE, DataDirectoryMeta.FILE + ".tmp", "s3", "s3.conf", "s3.log");
    private static final int MAX_LISTED = 5;
    /** A directory numbered higher is not taken for a partition (a rebuild would open that many). */
    private static final int MAX_PARTITION = 100_000;

    /** A partition directory the catalog cannot explain; the message says what to do. */
    static final class UnexplainedDataException extends StartRefusedException {
        UnexplainedDataException(String message) {
            super(message);
        }
    }

    /**
     * What to do before the logs open.
     *
     * @param rebuilt topics to write into the catalog (new, or with more partitions than it listed)
     * @param remove  directories of deleted topics, to remove with the reason
     */
    record Plan(List<TopicRecord> rebuilt, Map<Path, String> remove) {
    }

    private record PartitionDirectory(Path path, String topic, int partition, Optional<PartitionMetadata> metadata) {
    }

    private final Path dataDir;
    private final long nowMs;

    DataDirectoryReconciler(Path dataDir, long nowMs) {
        this.dataDir = dataDir;
        this.nowMs = nowMs;
    }

    /**
     * @param catalog   the topics the catalog lists, by name (after any restore from the bucket)
     * @param deletions topics whose deletion is pending
     * @param rebuild   whether the catalog was empty at start: unlisted partition directories are rebuilt
     */
    Plan plan(Map<String, TopicRecord> catalog, List<TopicRecord> deletions, boolean rebuild) {
        Map<Path, String> remove = new TreeMap<>();
        Map<String, List<PartitionDirectory>> toRebuild = new TreeMap<>();
        List<String> unexplained = new ArrayList<>();
        for (Path path : list()) {
            String name = path.getFileName().toString();
            if (OWN.contains(name)) {
                continue;
            }
            if (Files.isDirectory(path) && RENAMED_FOR_DELETION.matcher(name).matches()) {
                remove.put(path, "renamed for deletion when its topic was deleted");
                continue;
            }
            Optional<PartitionDirectory> partitionDir = partitionDirectory(path);
            if (partitionDir.isEmpty()) {
                LOGGER.info("Leaving {} alone: not a partition directory of this broker (topic-partition holding"
                        + " segment files or {})", path, PartitionMetadata.FILE);
                continue;
            }
            PartitionDirectory dir = partitionDir.get();
            TopicRecord listed = catalog.get(dir.topic());
            Optional<UUID> fileId = dir.metadata().map(PartitionMetadata::topicId);
            if (listed != null && fileId.isPresent() && !fileId.get().equals(listed.topicId())) {
                unexplained.add(path + " belongs to topic id " + fileId.get() + " (its " + PartitionMetadata.FILE
                        + ") but the catalog's topic " + dir.topic() + " has id " + listed.topicId());
                continue;
            }
            if (listed != null && dir.partition() < listed.partitions()) {
                continue;
            }
            Optional<TopicRecord> deleted = deletions.stream()
                    .filter(d -> d.name().equals(dir.topic()) && dir.partition() < d.partitions())
                    .filter(d -> fileId.map(d.topicId()::equals).orElse(listed == null))
                    .findFirst();
            if (deleted.isPresent()) {
                remove.put(path, "topic " + dir.topic() + " (" + deleted.get().topicId() + ") was deleted");
            } else if (rebuild) {
                toRebuild.computeIfAbsent(dir.topic(), t -> new ArrayList<>()).add(dir);
            } else if (!holdsData(path)) {
                LOGGER.warn("Leaving {} alone: a partition directory without data that the catalog does not list",
                        path);
            } else {
                unexplained.add(path + " holds data of partition " + dir.topic() + "-" + dir.partition()
                        + " that the catalog does not list, and no deletion of it is pending");
            }
        }
        List<TopicRecord> rebuilt = new ArrayList<>();
        for (Map.Entry<String, List<PartitionDirectory>> topic : toRebuild.entrySet()) {
            rebuildTopic(topic.getKey(), topic.getValue(), catalog.get(topic.getKey()), unexplained)
                    .ifPresent(rebuilt::add);
        }
        if (!unexplained.isEmpty()) {
            throw new UnexplainedDataException("Refusing to start: " + String.join("; ",
                    unexplained.subList(0, Math.min(MAX_LISTED, unexplained.size())))
                    + (unexplained.size() > MAX_LISTED ? "; and " + (unexplained.size() - MAX_LISTED) + " more" : "")
                    + ". Nothing was deleted. Move such a directory out of the data directory " + dataDir
                    + " (or restore the " + LogManager.INDEX_DIRECTORY + "/ catalog that lists it), then start again");
        }
        return new Plan(List.copyOf(rebuilt), remove);
    }

    /** The topic record for partition directories of {@code name} the catalog lacks; empty after an error. */
    private Optional<TopicRecord> rebuildTopic(String name, List<PartitionDirectory> dirs, TopicRecord listed,
                                               List<String> unexplained) {
        Set<UUID> ids = new HashSet<>();
        dirs.forEach(dir -> dir.metadata().ifPresent(m -> ids.add(m.topicId())));
        if (listed != null) {
            ids.add(listed.topicId());
        }
        if (ids.size() > 1) {
            unexplained.add("the partition directories of topic " + name + " belong to different topic ids " + ids);
            return Optional.empty();
        }
        int partitions = dirs.stream().mapToInt(PartitionDirectory::partition).max().orElseThrow() + 1;
        if (listed != null) {
            return Optional.of(listed.withPartitions(Math.max(partitions, listed.partitions())));
        }
        Optional<PartitionMetadata> metadata = dirs.stream().flatMap(d -> d.metadata().stream()).findFirst();
        if (metadata.isEmpty()) {
            LOGGER.warn("Topic {}: its partition directories have no {}; it gets a new topic id and no config"
                    + " overrides (set them again with kafka-configs)", name, PartitionMetadata.FILE);
        }
        TopicRecord record = metadata.map(m -> m.toTopicRecord(partitions)).orElseGet(() ->
                new TopicRecord(name, UUID.randomUUID(), partitions, (short) 1, Map.of(), nowMs));
        return Optional.of(record);
    }

    /**
     * The partition directory at {@code path}: named {@code <valid topic>-<partition>} and holding segment
     * files or a {@link PartitionMetadata} file; empty for anything else (a user's {@code my-backup-2024}).
     */
    private Optional<PartitionDirectory> partitionDirectory(Path path) {
        Matcher matcher = PARTITION_DIRECTORY.matcher(path.getFileName().toString());
        if (!Files.isDirectory(path) || !matcher.matches()) {
            return Optional.empty();
        }
        try {
            Topic.validate(matcher.group(1));
        } catch (InvalidTopicException e) {
            return Optional.empty();
        }
        int partition = Integer.parseInt(matcher.group(2));
        if (partition >= MAX_PARTITION || !looksLikeOurs(path)) {
            return Optional.empty();
        }
        return Optional.of(new PartitionDirectory(path, matcher.group(1), partition, PartitionMetadata.read(path)));
    }

    private static boolean looksLikeOurs(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(file -> file.getFileName().toString().equals(PartitionMetadata.FILE)
                    || SegmentFiles.baseOffsetOf(file).isPresent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + directory, e);
        }
    }

    /** Whether a directory holds any non-empty file. */
    static boolean holdsData(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(file -> !file.getFileName().toString().equals(PartitionMetadata.FILE)
                    && sizeOf(file) > 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + directory, e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 1;
        } catch (IOException e) {
            return 1;
        }
    }

    private List<Path> list() {
        try (Stream<Path> entries = Files.list(dataDir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the data directory " + dataDir, e);
        }
    }
}
