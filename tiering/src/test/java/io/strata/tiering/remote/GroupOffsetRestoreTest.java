package io.strata.tiering.remote;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.strata.index.GroupOffset;
import io.strata.index.IndexBatch;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.LogManager;
import io.strata.tiering.LogManagerSchedule;
import io.strata.tiering.testing.InMemoryObjectStore;
import io.strata.tiering.testing.MutableClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Committed group offsets through the bucket with whole log managers on an in-memory bucket: a manager with an
 * empty data directory gets them back, offsets of topics that are gone are skipped, and deleting a topic rewrites
 * the objects of the groups that had offsets of it.
 */
class GroupOffsetRestoreTest {

    private static final LogManagerSchedule QUIET = new LogManagerSchedule(3_600_000, 3_600_000, 3_600_000);
    private static final RemoteConfig REMOTE = new RemoteConfig(3_600_000, 2, Long.MAX_VALUE, 10, 100, 4096,
            1 << 20, RemoteConfig.DEFAULT_READ_AHEAD_CHUNKS, 3_600_000);

    @TempDir
    Path tempDir;
    final InMemoryObjectStore bucket = new InMemoryObjectStore();
    final List<LogManager> managers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        managers.forEach(LogManager::close);
    }

    private LogManager open(String dir) {
        LogManager manager = LogManager.open(tempDir.resolve(dir), Map.of(), new MutableClock(), QUIET, 2,
                Optional.of(new RemoteStorage(bucket, REMOTE, PrefixLease.exclusive())));
        managers.add(manager);
        return manager;
    }

    private static GroupOffset offset(String group, String topic, int partition, long offset) {
        return new GroupOffset(group, topic, partition, offset, OptionalInt.of(3), Optional.of("meta-" + offset),
                1_764_558_000_000L + offset);
    }

    private static void commit(LogManager manager, GroupOffset... offsets) {
        try (IndexBatch batch = manager.indexStore().newBatch()) {
            for (GroupOffset offset : offsets) {
                manager.indexStore().groupOffsets().put(batch, offset);
            }
            batch.commit(false);
        }
        for (GroupOffset offset : offsets) {
            manager.remote().orElseThrow().groupOffsets().markChanged(offset.group());
        }
    }

    private static void sync(LogManager manager) {
        manager.remote().orElseThrow().runPassAndWait();
        manager.remote().orElseThrow().groupOffsets().sync().join();
    }

    @Test
    void anEmptyDataDirectoryGetsTheCommittedOffsetsBackAndSkipsThoseOfTopicsThatAreGone() {
        // Given two topics in the bucket, offsets of two groups uploaded, and the object of a group whose topic
        // was re-created since (another id)
        LogManager first = open("a");
        first.createTopic("orders", 2, (short) 1, Map.of());
        first.createTopic("events", 1, (short) 1, Map.of());
        List<GroupOffset> billing = List.of(offset("billing", "events", 0, 7), offset("billing", "orders", 0, 42),
                offset("billing", "orders", 1, 43));
        commit(first, billing.toArray(GroupOffset[]::new));
        commit(first, offset("audit", "orders", 1, 5));
        sync(first);
        GroupManifest stale = new GroupManifest(GroupManifest.VERSION, "stale", List.of(
                new GroupManifest.PartitionOffset("orders", RemoteLayout.kafkaId(UUID.randomUUID()), 0, 99, -1, null,
                        "2026-12-01T00:00:00Z")));
        bucket.put(RemoteLayout.groupManifest("stale"), stale.toJson(), PutCondition.NONE).join();
        first.close();
        managers.remove(first);

        // When a manager opens an empty data directory on the same bucket
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger restoreLogger = (Logger) LoggerFactory.getLogger(BucketRestore.class);
        Logger readerLogger = (Logger) LoggerFactory.getLogger(BucketManifests.class);
        restoreLogger.addAppender(log);
        readerLogger.addAppender(log);
        LogManager second;
        try {
            second = open("b");
        } finally {
            restoreLogger.detachAppender(log);
            readerLogger.detachAppender(log);
        }

        // Then the offsets are in its RocksDB exactly as committed, and the stale group's are not
        assertThat(second.indexStore().groupOffsets().list("billing")).containsExactlyElementsOf(billing);
        assertThat(second.indexStore().groupOffsets().list("audit")).containsExactly(offset("audit", "orders", 1, 5));
        assertThat(second.indexStore().groupOffsets().list("stale")).isEmpty();
        List<String> messages = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(messages).anyMatch(m -> m.startsWith("Skipped the committed offsets of group stale for topic orders"));
        assertThat(messages).anyMatch(m -> m.startsWith("Restored the committed offsets of 3 group(s), 4 partition"
                + " offset(s), from the bucket; skipped 1"));
    }

    @Test
    void deletingATopicRewritesTheObjectsOfTheGroupsThatHadOffsetsOfIt() {
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, Map.of());
        manager.createTopic("events", 1, (short) 1, Map.of());
        commit(manager, offset("billing", "orders", 0, 42), offset("billing", "events", 0, 7));
        commit(manager, offset("audit", "events", 0, 1));
        sync(manager);

        manager.deleteTopic("events");
        manager.remote().orElseThrow().groupOffsets().sync().join();

        GroupManifest billing = GroupManifest.fromJson(bucket.bytes(RemoteLayout.groupManifest("billing")).orElseThrow());
        assertThat(billing.offsets()).extracting(GroupManifest.PartitionOffset::topic).containsExactly("orders");
        assertThat(bucket.bytes(RemoteLayout.groupManifest("audit"))).as("no offsets left").isEmpty();
    }
}
