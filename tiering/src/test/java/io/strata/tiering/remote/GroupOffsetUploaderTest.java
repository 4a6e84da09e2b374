package io.strata.tiering.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.index.GroupOffset;
import io.strata.index.IndexBatch;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.testing.InMemoryObjectStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GroupOffsetUploader} against an in-memory bucket and a real RocksDB store: passes are run by hand
 * ({@link GroupOffsetUploader#sync()}), as the remote tier's scheduler runs them every interval.
 */
class GroupOffsetUploaderTest {

    private static final TopicRecord ORDERS = new TopicRecord("orders", UUID.randomUUID(), 2, (short) 1, Map.of(),
            1_700_000_000_000L);

    @TempDir
    Path dir;
    final InMemoryObjectStore bucket = new InMemoryObjectStore();
    RocksDbIndexStore index;
    GroupOffsetUploader uploader;

    @BeforeEach
    void open() {
        index = RocksDbIndexStore.open(dir.resolve("rocksdb"));
        write(batch -> index.topics().put(batch, ORDERS));
        uploader = new GroupOffsetUploader(bucket, index, Runnable::run, false);
    }

    @AfterEach
    void close() {
        index.close();
    }

    private void write(Consumer<IndexBatch> writes) {
        try (IndexBatch batch = index.newBatch()) {
            writes.accept(batch);
            batch.commit(false);
        }
    }

    /** Commits as the broker does: into RocksDB, then reports the group. */
    private void commit(String group, String topic, int partition, long offset, long timestampMs) {
        write(batch -> index.groupOffsets().put(batch, new GroupOffset(group, topic, partition, offset,
                OptionalInt.of(0), Optional.of("m"), timestampMs)));
        uploader.markChanged(group);
    }

    private Optional<GroupManifest> inBucket(String group) {
        return bucket.bytes(RemoteLayout.groupManifest(group)).map(GroupManifest::fromJson);
    }

    private void pass() {
        uploader.sync().join();
    }

    @Test
    void manyCommitsWithinAnIntervalCostOnePutPerGroup() {
        for (int i = 1; i <= 100; i++) {
            commit("billing", "orders", i % 2, i, 1_000 + i);
        }
        commit("audit", "orders", 0, 7, 2_000);
        long putsBefore = bucket.puts.get();

        pass();

        assertThat(bucket.puts.get() - putsBefore).as("one PUT per group").isEqualTo(2);
        GroupManifest billing = inBucket("billing").orElseThrow();
        assertThat(billing.groupId()).isEqualTo("billing");
        assertThat(billing.offsets()).containsExactly(
                new GroupManifest.PartitionOffset("orders", RemoteLayout.kafkaId(ORDERS.topicId()), 0, 100, 0, "m",
                        "1970-01-01T00:00:01.100Z"),
                new GroupManifest.PartitionOffset("orders", RemoteLayout.kafkaId(ORDERS.topicId()), 1, 99, 0, "m",
                        "1970-01-01T00:00:01.099Z"));
        assertThat(inBucket("audit").orElseThrow().offsets()).extracting(GroupManifest.PartitionOffset::offset)
                .containsExactly(7L);
    }

    @Test
    void inClusterModeAStartDeletesNoObjectAndAChangedGroupIsWrittenFromTheClustersSource() {
        // Given a group object in the bucket and a cluster broker's uploader (offsets in the database, not RocksDB)
        bucket.put(RemoteLayout.groupManifest("kept"), new GroupManifest(GroupManifest.VERSION, "kept", List.of(
                new GroupManifest.PartitionOffset("orders", RemoteLayout.kafkaId(ORDERS.topicId()), 0, 5, -1, null,
                        "2026-12-01T00:00:00Z"))).toJson(), PutCondition.NONE).join();
        GroupOffsetUploader cluster = new GroupOffsetUploader(bucket, index, Runnable::run, true);

        cluster.sync().join();
        assertThat(inBucket("kept")).as("not reconciled with RocksDB, which holds no group").isPresent();

        // When the cluster's source is set and a group changes there
        UUID databaseId = UUID.randomUUID();
        cluster.useSource(new GroupOffsetSource() {
            @Override
            public List<GroupOffset> offsets(String group) {
                return List.of(new GroupOffset(group, "payments", 1, 77, OptionalInt.empty(), Optional.of(""), 3_000));
            }

            @Override
            public Optional<UUID> topicId(String topic) {
                return topic.equals("payments") ? Optional.of(databaseId) : Optional.empty();
            }
        });
        cluster.markChanged("billing");
        cluster.sync().join();

        assertThat(inBucket("billing").orElseThrow().offsets()).containsExactly(new GroupManifest.PartitionOffset(
                "payments", RemoteLayout.kafkaId(databaseId), 1, 77, -1, "", "1970-01-01T00:00:03Z"));
        assertThat(inBucket("kept")).isPresent();
    }

    @Test
    void aGroupIsRewrittenOnlyWhenItsPositionsChanged() {
        commit("billing", "orders", 0, 10, 1_000);
        pass();
        long puts = bucket.puts.get();

        pass();
        commit("billing", "orders", 0, 10, 5_000);
        pass();

        assertThat(bucket.puts.get()).as("no change, then the same offset committed again").isEqualTo(puts);

        commit("billing", "orders", 0, 11, 6_000);
        pass();

        assertThat(bucket.puts.get()).isEqualTo(puts + 1);
        assertThat(inBucket("billing").orElseThrow().offsets().get(0).offset()).isEqualTo(11);
    }

    @Test
    void deletedOffsetsAndGroupsLeaveTheBucket() {
        commit("billing", "orders", 0, 10, 1_000);
        commit("billing", "orders", 1, 20, 1_000);
        commit("audit", "orders", 0, 5, 1_000);
        pass();

        write(batch -> index.groupOffsets().delete(batch, "billing", "orders", 1));
        uploader.markChanged("billing");
        write(batch -> index.groupOffsets().deleteGroup(batch, "audit"));
        uploader.markChanged("audit");
        pass();

        assertThat(inBucket("billing").orElseThrow().offsets()).extracting(GroupManifest.PartitionOffset::partition)
                .containsExactly(0);
        assertThat(bucket.bytes(RemoteLayout.groupManifest("audit"))).isEmpty();
    }

    @Test
    void offsetsOfATopicThatNoLongerExistsAreLeftOut() {
        commit("billing", "orders", 0, 10, 1_000);
        commit("billing", "gone", 0, 3, 1_000);

        pass();

        assertThat(inBucket("billing").orElseThrow().offsets()).extracting(GroupManifest.PartitionOffset::topic)
                .containsExactly("orders");
    }

    @Test
    void aFailedUploadIsRetriedByTheNextPass() {
        commit("billing", "orders", 0, 10, 1_000);
        pass();
        commit("billing", "orders", 0, 12, 2_000);
        bucket.setDown(true);

        pass();

        bucket.setDown(false);
        assertThat(inBucket("billing").orElseThrow().offsets().get(0).offset()).isEqualTo(10);

        pass();

        assertThat(inBucket("billing").orElseThrow().offsets().get(0).offset()).isEqualTo(12);
    }

    @Test
    void theFirstPassMakesTheBucketAgreeWithRocksDb() {
        // Given offsets in RocksDB that never reached the bucket (an unclean stop), and an object of a group that
        // RocksDB no longer has
        write(batch -> index.groupOffsets().put(batch, new GroupOffset("billing", "orders", 0, 42, OptionalInt.empty(),
                Optional.empty(), 1_000)));
        bucket.put(RemoteLayout.groupManifest("deleted meanwhile"),
                new GroupManifest(GroupManifest.VERSION, "deleted meanwhile", List.of()).toJson(), PutCondition.NONE)
                .join();

        // When the uploader's first pass runs, with nothing reported
        pass();

        // Then the bucket has the first and not the second
        GroupManifest.PartitionOffset offset = inBucket("billing").orElseThrow().offsets().get(0);
        assertThat(offset.offset()).isEqualTo(42);
        assertThat(offset.leaderEpoch()).as("none").isEqualTo(-1);
        assertThat(offset.metadata()).isNull();
        assertThat(bucket.bytes(RemoteLayout.groupManifest("deleted meanwhile"))).isEmpty();
    }

    @Test
    void groupIdsOfAnyShapeMakeOneFlatKeyAndComeBack() {
        for (String group : List.of("billing/eu", "with space", "100%", "ünïcode", "a+b", "")) {
            String key = RemoteLayout.groupManifest(group);
            assertThat(key).startsWith(RemoteLayout.GROUPS).endsWith(".json");
            assertThat(key.substring(RemoteLayout.GROUPS.length())).doesNotContain("/");
            assertThat(RemoteLayout.groupIdOf(key)).contains(group);
        }
        assertThat(RemoteLayout.groupManifest("billing/eu")).isEqualTo("groups/billing%2Feu.json");
        assertThat(RemoteLayout.groupIdOf("topics/orders-x/topic.json")).isEmpty();
    }
}
