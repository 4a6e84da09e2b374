package io.strata.tiering.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.testing.EmbeddedWalDatabase;
import io.strata.tiering.testing.InMemoryObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GC of WAL objects by reference, against the embedded metadata store and the in-memory bucket. */
class WalGarbageCollectorTest {

    private static final int NODE = EmbeddedWalDatabase.NODE;

    @TempDir
    Path dir;

    private EmbeddedWalDatabase database;
    private MetadataStore store;
    private final InMemoryObjectStore bucket = new InMemoryObjectStore();
    private final Set<UUID> live = ConcurrentHashMap.newKeySet();
    private final WalGcMetrics metrics = new WalGcMetrics();
    private final UUID writer = UUID.randomUUID();
    private long controller;
    private TopicPartitionId orders;

    @BeforeEach
    void setUp() {
        database = new EmbeddedWalDatabase(dir);
        store = database.store();
        controller = database.controller();
        orders = database.lead("orders");
        live.add(writer);
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    private WalGarbageCollector collector(int batchSize) {
        return new WalGarbageCollector(store, bucket, () -> Set.copyOf(live), metrics, batchSize, Duration.ofSeconds(30));
    }

    /** PUTs WAL object {@code sequence} of {@code incarnation} and returns its key. */
    private String put(UUID incarnation, long sequence) {
        String key = RemoteLayout.walObject(NODE, incarnation, sequence);
        bucket.put(key, new byte[] {1, 2, 3}, PutCondition.NONE).join();
        return key;
    }

    /** PUTs and commits an object holding offsets {@code base} to {@code end} of {@code tp}. */
    private String putAndCommit(UUID incarnation, long sequence, TopicPartitionId tp, long base, long end) {
        String key = put(incarnation, sequence);
        assertThat(store.commitWal(commit(key, incarnation, tp, base, end)))
                .containsOnly(Map.entry(tp, WalCommitOutcome.COMMITTED));
        return key;
    }

    private static WalObjectCommit commit(String key, UUID incarnation, TopicPartitionId tp, long base, long end) {
        WalRange range = new WalRange(tp, 1, base, end, key, 0, 3,
                List.of(new WalBatch(base, end - 1, -1, (short) -1, -1, -1, 1_000)));
        return new WalObjectCommit(key, NODE, incarnation, 3, List.of(range));
    }

    @Test
    void anObjectIsDeletedAndForgottenOnceItsRangesAreReleasedAndNotBefore() {
        String released = putAndCommit(writer, 0, orders, 0, 10);
        String needed = putAndCommit(writer, 1, orders, 10, 20);

        assertThat(collector(100).collect(controller)).isEqualTo(new WalGarbageCollector.Pass(0, 0,
                WalGarbageCollector.Outcome.DONE));
        assertThat(bucket.snapshot()).containsOnlyKeys(released, needed);

        assertThat(store.releaseWal(orders, NODE, 1, 10)).isTrue();
        assertThat(collector(100).collect(controller)).isEqualTo(new WalGarbageCollector.Pass(1, 0,
                WalGarbageCollector.Outcome.DONE));

        assertThat(bucket.snapshot()).containsOnlyKeys(needed);
        assertThat(store.committedWalObjects(writer)).containsExactly(needed);
        assertThat(metrics.objectsCollected()).isEqualTo(1);
        assertThat(store.walRanges(orders, 0)).extracting(WalRange::objectKey).containsExactly(needed);
    }

    @Test
    void theObjectsOfADeletedTopicAreDeletedInBatches() {
        TopicPartitionId doomed = database.lead("doomed");
        for (int i = 0; i < 5; i++) {
            putAndCommit(writer, i, doomed, i * 10L, i * 10L + 10);
        }
        String kept = putAndCommit(writer, 5, orders, 0, 10);

        store.deleteTopic(doomed.topicId());

        assertThat(collector(2).collect(controller).objectsCollected()).isEqualTo(5);
        assertThat(bucket.snapshot()).containsOnlyKeys(kept);
    }

    @Test
    void aDeadIncarnationIsRevokedAndOnlyItsObjectsThatNoCommitRecordedAreDeleted() {
        UUID dead = UUID.randomUUID();
        String committed = putAndCommit(dead, 0, orders, 0, 10);
        String orphan = put(dead, 1);
        String liveUncommitted = put(writer, 0); // a PUT whose commit is still in flight

        WalGarbageCollector.Pass pass = collector(100).collect(controller);

        assertThat(pass).isEqualTo(new WalGarbageCollector.Pass(0, 1, WalGarbageCollector.Outcome.DONE));
        assertThat(bucket.snapshot()).containsOnlyKeys(committed, liveUncommitted);
        assertThat(metrics.orphansCollected()).isEqualTo(1);
        assertThat(store.commitWal(commit(orphan, dead, orders, 10, 20))).as("the dead writer's late commit")
                .containsOnly(Map.entry(orders, WalCommitOutcome.FENCED));
        assertThat(store.committedEnd(orders)).isEqualTo(10);

        // Its committed object goes once released, as any other
        store.releaseWal(orders, NODE, 1, 10);
        assertThat(collector(100).collect(controller).objectsCollected()).isEqualTo(1);
        assertThat(bucket.snapshot()).containsOnlyKeys(liveUncommitted);
    }

    @Test
    void aDeposedControllerDeletesNothing() {
        String released = putAndCommit(writer, 0, orders, 0, 10);
        store.releaseWal(orders, NODE, 1, 10);
        String orphan = put(UUID.randomUUID(), 0);
        store.claimController(2, UUID.randomUUID(), store.controller()).orElseThrow();

        assertThat(collector(100).collect(controller)).isEqualTo(new WalGarbageCollector.Pass(0, 0,
                WalGarbageCollector.Outcome.DEPOSED));
        assertThat(bucket.snapshot()).containsOnlyKeys(released, orphan);
        assertThat(store.committedWalObjects(writer)).containsExactly(released);
    }

    @Test
    void aPassStoppedByTheBucketIsResumedByTheNextOne() {
        String released = putAndCommit(writer, 0, orders, 0, 10);
        store.releaseWal(orders, NODE, 1, 10);

        bucket.setDown(true);
        assertThat(collector(100).collect(controller).outcome()).isEqualTo(WalGarbageCollector.Outcome.FAILED);
        bucket.setDown(false);
        assertThat(bucket.snapshot()).containsOnlyKeys(released);
        assertThat(store.committedWalObjects(writer)).as("marked deleting, not forgotten").containsExactly(released);
        assertThat(metrics.failedPasses()).isEqualTo(1);

        assertThat(collector(100).collect(controller).objectsCollected()).isEqualTo(1);
        assertThat(bucket.snapshot()).isEmpty();
        assertThat(store.committedWalObjects(writer)).isEmpty();
    }

    @Test
    void keysUnderTheWalPrefixThatAreNotWalObjectsAreLeftAlone() {
        bucket.put(RemoteLayout.WAL + "README", new byte[] {1}, PutCondition.NONE).join();

        assertThat(collector(100).collect(controller).outcome()).isEqualTo(WalGarbageCollector.Outcome.DONE);
        assertThat(bucket.snapshot()).containsOnlyKeys(RemoteLayout.WAL + "README");
    }
}
