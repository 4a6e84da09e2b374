package io.strata.tiering.restore;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.strata.index.RocksDbIndexStore;
import io.strata.metadata.CommittedOffset;
import io.strata.metadata.EpochStart;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.LogManager;
import io.strata.tiering.LogManagerSchedule;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.BucketManifests;
import io.strata.tiering.remote.GroupManifest;
import io.strata.tiering.remote.PrefixLease;
import io.strata.tiering.remote.RemoteConfig;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.remote.RemoteStorage;
import io.strata.tiering.testing.InMemoryObjectStore;
import io.strata.tiering.testing.MutableClock;
import io.strata.tiering.testing.WalObjectFixture;
import io.strata.tiering.wal.WalObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata database rebuilt from a bucket that a tiering log manager filled (in memory): committed ends at the
 * segment ends, epochs above every epoch in the bucket, committed offsets of restored topics only, a producer-id
 * floor above every producer id found, the WAL tail above the segments reported as lost, and no second restore.
 */
class MetadataRestoreTest {

    private static final LogManagerSchedule QUIET = new LogManagerSchedule(3_600_000, 3_600_000, 3_600_000);
    private static final RemoteConfig REMOTE = new RemoteConfig(3_600_000, 2, Long.MAX_VALUE, 10, 100, 4096,
            1 << 20, RemoteConfig.DEFAULT_READ_AHEAD_CHUNKS, 3_600_000);
    private static final Map<String, String> TIERED = Map.of("segment.bytes", "8192", "local.retention.bytes", "1",
            "index.interval.bytes", "1024", "retention.ms", "-1");

    @TempDir
    Path tempDir;
    final InMemoryObjectStore bucket = new InMemoryObjectStore();

    /** "orders" (2 partitions): partition 0 gets idempotent batches at leader epoch 3, uploaded; partition 1 nothing. */
    private long fillBucket() {
        try (LogManager manager = LogManager.open(tempDir.resolve("broker"), Map.of(), new MutableClock(), QUIET, 2,
                Optional.of(new RemoteStorage(bucket, REMOTE, PrefixLease.exclusive())))) {
            manager.createTopic("orders", 2, (short) 1, TIERED);
            PartitionLog log = manager.log(new TopicPartition("orders", 0)).orElseThrow();
            log.setLeaderEpoch(3);
            for (int i = 0; i < 40; i++) {
                log.append(batch().records(10).valueSize(100).producer(77, (short) 0, i * 10).build());
            }
            log.flush();
            manager.remote().orElseThrow().runPassAndWait();
            return log.remoteEndOffset();
        }
    }

    @Test
    void aBucketRestoresTopicsEndsEpochsAboveEveryEpochFoundOffsetsAndAProducerIdFloorAndReportsTheWalTail() {
        long segmentEnd = fillBucket();
        assertThat(segmentEnd).as("some segments were uploaded").isGreaterThan(0);
        UUID ordersId = bucketTopicId();
        TopicPartitionId p0 = new TopicPartitionId(ordersId, 0);
        // A WAL object holding partition 0's records above the segments, at epoch 5
        WalObject.Encoded wal = WalObject.encode(1, WalObjectFixture.INCARNATION, 0, WalObjectFixture.CREATED_MS,
                List.of(new WalObject.Part(p0, 5, segmentEnd, segmentEnd + 3,
                        List.of(WalObjectFixture.batch(segmentEnd, 0, 3)))));
        bucket.put(WalObjectFixture.key(0), wal.bytes(), PutCondition.IF_ABSENT).join();
        // Offsets of a group: one of "orders", one of a topic no longer in the bucket
        bucket.put(RemoteLayout.groupManifest("billing"), new GroupManifest(GroupManifest.VERSION, "billing", List.of(
                new GroupManifest.PartitionOffset("orders", RemoteLayout.kafkaId(ordersId), 0, 42, 3, null,
                        "2026-12-01T00:00:00Z"),
                new GroupManifest.PartitionOffset("gone", RemoteLayout.kafkaId(UUID.randomUUID()), 0, 9, -1, "x",
                        "2026-12-01T00:00:00Z"))).toJson(), PutCondition.NONE).join();

        MetadataRestore.Result result = new MetadataRestore(bucket).read();

        assertThat(result.partitions()).containsExactly(
                new MetadataRestore.PartitionFound("orders", 0, 0, segmentEnd,
                        result.partitions().get(0).segments(), 5, 6),
                new MetadataRestore.PartitionFound("orders", 1, 0, 0, 0, 0, 1));
        assertThat(result.lostTails()).containsExactly(new MetadataRestore.LostTail(WalObjectFixture.key(0), "orders",
                0, segmentEnd, segmentEnd + 3));
        assertThat(result.walObjects()).isEqualTo(1);
        assertThat(result.highestProducerId()).as("the segments' last batches").isEqualTo(77);
        assertThat(result.metadata().producerIdFloor()).isEqualTo(78 + MetadataRestore.PRODUCER_ID_GAP);
        assertThat(result.groups()).isEqualTo(1);
        assertThat(result.skippedOffsets()).isEqualTo(1);

        try (RocksDbIndexStore database = RocksDbIndexStore.open(tempDir.resolve("metadata"))) {
            MetadataStore store = database.metadata();
            assertThat(new MetadataRestore(bucket).restore(store, result)).isTrue();

            assertThat(store.topics()).extracting(TopicDefinition::name, TopicDefinition::partitions)
                    .containsExactly(tuple("orders", 2));
            assertThat(store.leadership()).contains(new PartitionLeadership(p0, PartitionLeadership.NO_LEADER, 6));
            assertThat(store.committedEnd(p0)).isEqualTo(segmentEnd);
            assertThat(store.epochHistory(p0)).containsExactly(new EpochStart(6, segmentEnd,
                    PartitionLeadership.NO_LEADER));
            assertThat(store.committedOffsets("billing")).containsExactly(new CommittedOffset("billing", p0, 42, 3, "",
                    Instant.parse("2026-12-01T00:00:00Z").toEpochMilli()));
            assertThat(store.allocateProducerIds(1)).isGreaterThan(77);

            assertThat(new MetadataRestore(bucket).restore(store, result)).as("the store has topics now").isFalse();
        }
    }

    private UUID bucketTopicId() {
        return new BucketManifests(bucket).topics(Set.of()).live().get(0).topicId();
    }
}
