package io.strata.tiering.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.remote.BucketInspector.Problem;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.testing.EmbeddedWalDatabase;
import io.strata.tiering.testing.InMemoryObjectStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bucket's WAL objects checked against the embedded metadata store, with the in-memory bucket. */
class WalReferenceCheckTest {

    private static final int NODE = EmbeddedWalDatabase.NODE;
    private static final int OBJECT_BYTES = 100;

    @TempDir
    Path dir;

    private EmbeddedWalDatabase database;
    private MetadataStore store;
    private final InMemoryObjectStore bucket = new InMemoryObjectStore();
    private final UUID writer = UUID.randomUUID();
    private long controller;
    private TopicPartitionId orders;

    @BeforeEach
    void setUp() {
        database = new EmbeddedWalDatabase(dir);
        store = database.store();
        store.register(new BrokerRegistration(NODE, writer, "PLAINTEXT://one:9092", Optional.empty()),
                Duration.ofSeconds(30));
        controller = database.controller();
        orders = database.lead("orders");
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    /** PUTs WAL object {@code sequence} of {@code incarnation} ({@value #OBJECT_BYTES} bytes) and returns its key. */
    private String put(UUID incarnation, long sequence) {
        String key = RemoteLayout.walObject(NODE, incarnation, sequence);
        bucket.put(key, new byte[OBJECT_BYTES], PutCondition.IF_ABSENT).join();
        return key;
    }

    /** Commits offsets {@code base} to {@code end} of {@link #orders} at bytes 10 to 10 + {@code length} of the key. */
    private void commit(String key, UUID incarnation, long base, long end, int length) {
        WalRange range = new WalRange(orders, 1, base, end, key, 10, length,
                List.of(new WalBatch(base, end - 1, -1, (short) -1, -1, -1, 1_000)));
        assertThat(store.commitWal(new WalObjectCommit(key, NODE, incarnation, OBJECT_BYTES, List.of(range))))
                .containsOnly(Map.entry(orders, WalCommitOutcome.COMMITTED));
    }

    private String putAndCommit(long sequence, long base, long end) {
        String key = put(writer, sequence);
        commit(key, writer, base, end, 50);
        return key;
    }

    private WalReferenceCheck.Report check() {
        return new WalReferenceCheck(bucket, store).check();
    }

    @Test
    void referencedCollectableAndInFlightObjectsAreCountedAndNoneIsAProblem() {
        String released = putAndCommit(0, 0, 10);
        putAndCommit(1, 10, 20);
        store.releaseWal(orders, NODE, 1, 10);
        UUID dead = UUID.randomUUID();
        put(dead, 0); // an incarnation no broker row names: GC revokes it and deletes the object
        UUID revoked = UUID.randomUUID();
        put(revoked, 3);
        store.revokeWalWriter(controller, revoked);
        put(writer, 2); // PUT, its commit not there yet
        bucket.put("wal/readme.txt", new byte[1], PutCondition.IF_ABSENT).join(); // WalInspector's NOT_WAL

        WalReferenceCheck.Report report = check();

        assertThat(report.problems()).isEmpty();
        assertThat(report.referenced()).as("the needed object").isEqualTo(1);
        assertThat(report.collectable()).as(released + ", the dead and the revoked incarnation's").isEqualTo(3);
        assertThat(report.inFlight()).isEqualTo(1);
    }

    @Test
    void aCommittedObjectWithANeededRangeThatIsGoneFromTheBucketIsMissing() {
        String releasedAndGone = putAndCommit(0, 0, 10);
        String lost = putAndCommit(1, 10, 20);
        putAndCommit(2, 20, 30);
        store.releaseWal(orders, NODE, 1, 10);
        bucket.deleteAll(List.of(releasedAndGone, lost)).join();

        WalReferenceCheck.Report report = check();

        assertThat(report.problems()).singleElement().isEqualTo(new Problem("WAL_MISSING", lost,
                "absent from the bucket, but the database needs it for topic " + RemoteLayout.kafkaId(orders.topicId())
                        + " partition 0 offsets 10..19 at bytes 10..59"));
        assertThat(report.referenced()).isEqualTo(1);
    }

    @Test
    void anObjectWhoseCommitItsWriterWillRetryIsNeededAndMissingWhenGone() {
        String key = put(writer, 0);
        WalRange early = new WalRange(orders, 1, 5, 10, key, 10, 50, List.of(new WalBatch(5, 9, -1, (short) -1, -1,
                -1, 1_000)));
        assertThat(store.commitWal(new WalObjectCommit(key, NODE, writer, OBJECT_BYTES, List.of(early))))
                .containsOnly(Map.entry(orders, WalCommitOutcome.OUT_OF_ORDER));
        bucket.deleteAll(List.of(key)).join();

        WalReferenceCheck.Report report = check();

        assertThat(report.problems()).containsExactly(new Problem("WAL_MISSING", key,
                "absent from the bucket, but the database expects its writer to commit ranges of it"));
    }

    @Test
    void anObjectShorterThanANeededRangesByteEndIsMissingData() {
        String key = put(writer, 0);
        commit(key, writer, 0, 10, OBJECT_BYTES); // bytes 10..109 of a 100-byte object

        WalReferenceCheck.Report report = check();

        assertThat(report.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.kind()).isEqualTo("WAL_MISSING");
            assertThat(problem.key()).isEqualTo(key);
            assertThat(problem.detail()).startsWith("only 100 bytes long").endsWith("at bytes 10..109");
        });
    }

    @Test
    void anUncommittedObjectOfALiveWriterBelowItsCommittedSequenceIsUnreferenced() {
        String skipped = put(writer, 0);
        putAndCommit(1, 0, 10);

        WalReferenceCheck.Report report = check();

        assertThat(report.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.kind()).isEqualTo("WAL_UNREFERENCED");
            assertThat(problem.key()).isEqualTo(skipped);
            assertThat(problem.detail()).contains("incarnation " + writer, "committed sequence 1");
        });
        assertThat(report.inFlight()).isZero();
    }

    @Test
    void anObjectPutAndCommittedBetweenTheListingAndTheDatabaseReadIsNotMissing() {
        putAndCommit(0, 0, 10);
        String[] late = new String[1];
        MetadataStore racing = beforeCatalogRead(() -> late[0] = putAndCommit(1, 10, 20));

        WalReferenceCheck.Report report = new WalReferenceCheck(bucket, racing).check();

        assertThat(late[0]).isNotNull();
        assertThat(report.problems()).isEmpty();
        assertThat(report.referenced()).isEqualTo(2);
    }

    @Test
    void anObjectCollectedBetweenTheListingAndTheDatabaseReadIsNotUnreferenced() {
        String collected = putAndCommit(0, 0, 10);
        putAndCommit(1, 10, 20);
        store.releaseWal(orders, NODE, 1, 10);
        MetadataStore racing = beforeCatalogRead(() -> {
            assertThat(store.collectableWalObjects(controller, 10)).containsExactly(collected);
            bucket.deleteAll(List.of(collected)).join();
            store.forgetWalObjects(List.of(collected));
        });

        WalReferenceCheck.Report report = new WalReferenceCheck(bucket, racing).check();

        assertThat(report.problems()).isEmpty();
        assertThat(report.referenced()).isEqualTo(1);
    }

    /** {@link #store}, running {@code meanwhile} first whenever the WAL catalog is read. */
    private MetadataStore beforeCatalogRead(Runnable meanwhile) {
        return (MetadataStore) Proxy.newProxyInstance(MetadataStore.class.getClassLoader(),
                new Class<?>[] {MetadataStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("walCatalog")) {
                        meanwhile.run();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
