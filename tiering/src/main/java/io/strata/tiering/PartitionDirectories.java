package io.strata.tiering;

import io.strata.index.PartitionKey;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.tiering.config.LogConfig;
import io.strata.tiering.log.Fsync;
import io.strata.tiering.log.LogDirHealth;
import io.strata.tiering.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition directories under the data directory ({@code <topic>-<partition>}, as in Kafka; the layout is drawn
 * in {@link LogManager}): opens a {@link PartitionLog} over its directory (writing its {@link PartitionMetadata}),
 * tells whether a directory still holds the data of a deleted incarnation, and removes directories, at once or
 * renamed out of the way and removed in the background.
 *
 * <p>Holds no state of its own beside its collaborators; thread-safe. Callers serialize the opening and removal of
 * one partition's directory (the {@link TopicCatalog}'s lock, or the start before anything is served).
 */
final class PartitionDirectories {

    private static final Logger LOGGER = LoggerFactory.getLogger(PartitionDirectories.class);

    private final Path dataDir;
    private final RocksDbIndexStore store;
    private final Map<String, String> topicDefaults;
    private final Clock clock;
    private final Executor background;
    private final LogDirHealth health;

    PartitionDirectories(Path dataDir, RocksDbIndexStore store, Map<String, String> topicDefaults, Clock clock,
                         Executor background, LogDirHealth health) {
        this.dataDir = dataDir;
        this.store = store;
        this.topicDefaults = topicDefaults;
        this.clock = clock;
        this.background = background;
        this.health = health;
    }

    /** The directory of {@code tp}: {@code <data dir>/<topic>-<partition>}. */
    Path partitionDir(TopicPartition tp) {
        return dataDir.resolve(tp.topic() + "-" + tp.partition());
    }

    /** The topic's configuration: the broker's topic defaults overridden by the topic's own configs. */
    LogConfig config(TopicRecord record) {
        return LogConfig.of(topicDefaults, record.configs());
    }

    /** Opens every partition of a cataloged topic, recovering its logs unless {@code clean}. */
    TopicLogs openTopic(TopicRecord record, boolean clean) {
        LogConfig config = config(record);
        List<PartitionLog> logs = new ArrayList<>(record.partitions());
        for (int p = 0; p < record.partitions(); p++) {
            logs.add(openPartition(record, p, config, clean));
        }
        return new TopicLogs(record, LogManager.toKafka(record.topicId()), config, List.copyOf(logs));
    }

    /** Opens partition {@code partition} of {@code record} over its directory and writes its partition.metadata. */
    PartitionLog openPartition(TopicRecord record, int partition, LogConfig config, boolean clean) {
        TopicPartition tp = new TopicPartition(record.name(), partition);
        PartitionLog log = PartitionLog.open(tp, new PartitionKey(record.topicId(), partition), partitionDir(tp), store,
                config, clock, background, clean, health);
        PartitionMetadata.of(record).write(log.directory());
        return log;
    }

    /**
     * The first directory of partitions {@code from} to {@code to - 1} of {@code name} that still holds data (a
     * deleted incarnation whose directory could not be renamed away): a new partition must never adopt it.
     */
    Optional<Path> leftoverData(String name, int from, int to) {
        for (int p = from; p < to; p++) {
            Path directory = partitionDir(new TopicPartition(name, p));
            if (Files.isDirectory(directory) && DataDirectoryReconciler.holdsData(directory)) {
                return Optional.of(directory);
            }
        }
        return Optional.empty();
    }

    /**
     * Renames a deleted partition's directory out of the way and removes it in the background; false when
     * the rename failed (the deletion intent then stays, and the next start removes the directory).
     */
    boolean deleteDirectoryLater(Path directory, Uuid topicId) {
        Path renamed = directory.resolveSibling(directory.getFileName() + "." + topicId
                + DataDirectoryReconciler.DELETED_DIRECTORY_SUFFIX);
        try {
            Files.move(directory, renamed);
        } catch (IOException e) {
            LOGGER.warn("Could not rename {} for deletion (the next start removes it): {}", directory, e.getMessage());
            return false;
        }
        try {
            Fsync.directory(dataDir);
        } catch (IOException e) {
            health.failed("sync " + dataDir + " after renaming " + directory.getFileName(), e);
        }
        background.execute(() -> deleteRecursively(renamed));
        return true;
    }

    /** Removes {@code root} and everything below it, at once; a failure is logged, not thrown. */
    static void deleteRecursively(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOGGER.warn("Could not delete {}: {}", root, e.getMessage());
        }
    }
}
