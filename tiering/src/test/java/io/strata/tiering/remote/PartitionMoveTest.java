package io.strata.tiering.remote;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.LogManager;
import io.strata.tiering.LogManagerSchedule;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.AppendResult;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.testing.MutableClock;
import io.strata.tiering.testing.WalRangesOnly;
import io.strata.tiering.wal.WalLogSink;
import io.strata.tiering.wal.WalMetrics;
import io.strata.tiering.wal.WalReader;
import io.strata.tiering.wal.WalSettings;
import io.strata.tiering.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition moves between two brokers sharing one bucket prefix (two {@link LogManager}s on two data directories,
 * a real S3 server): the old leader hands it over, the new one reopens it from the bucket. Also the write gate and
 * the upload fence that keep a broker that does not lead a partition from writing it.
 */
class PartitionMoveTest {

    private static final LogManagerSchedule QUIET = new LogManagerSchedule(3_600_000, 3_600_000, 3_600_000);
    private static final RemoteConfig REMOTE = new RemoteConfig(3_600_000, 2, Long.MAX_VALUE, 10, 100, 4096,
            1 << 20, RemoteConfig.DEFAULT_READ_AHEAD_CHUNKS, 3_600_000);
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final Map<String, String> TIERED = Map.of("remote.storage.enable", "true", "segment.bytes", "4096",
            "index.interval.bytes", "1024", "retention.ms", "-1");
    private static final long PRODUCER = 4242;

    @TempDir
    static Path serverDir;
    static S3ProxyServer server;

    @TempDir
    Path tempDir;
    final MutableClock clock = new MutableClock();
    final List<AutoCloseable> closeables = new ArrayList<>();
    ObjectStore bucket;
    String prefix;

    /** Every record appended, by offset: its value. */
    final Map<Long, byte[]> appended = new HashMap<>();
    /** The next sequence of {@link #PRODUCER}. */
    int nextSequence;

    @BeforeAll
    static void startServer() throws IOException {
        server = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(serverDir.resolve("s3"), "handoff"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void newPrefix() {
        prefix = "cluster-" + UUID.randomUUID() + "/";
        bucket = openStore();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private S3ObjectStore openStore() {
        S3ObjectStore store = S3ObjectStore.open(server.clientConfig().prefix(prefix).build());
        closeables.add(store);
        return store;
    }

    /** A broker's LogManager on its own data directory and its own S3 client, on the shared prefix. */
    private LogManager broker(String name) {
        return broker(name, openStore());
    }

    private LogManager broker(String name, ObjectStore store) {
        LogManager manager = LogManager.open(tempDir.resolve(name), Map.of(), clock, QUIET, 2,
                Optional.of(new RemoteStorage(store, REMOTE, PrefixLease.exclusive())));
        closeables.add(manager);
        return manager;
    }

    /** A store whose listings leave out the keys {@code hidden} accepts: listed before those objects were PUT. */
    private static final class StaleListings extends io.strata.objectstore.ForwardingObjectStore {
        private final java.util.function.Predicate<String> hidden;

        StaleListings(ObjectStore delegate, java.util.function.Predicate<String> hidden) {
            super(delegate);
            this.hidden = hidden;
        }

        @Override
        public CompletableFuture<io.strata.objectstore.ListPage> list(String prefix, String token, int maxKeys) {
            return delegate.list(prefix, token, maxKeys).thenApply(page -> new io.strata.objectstore.ListPage(
                    page.objects().stream().filter(object -> !hidden.test(object.key())).toList(), page.nextToken()));
        }
    }

    private static PartitionLog log(LogManager manager) {
        return manager.log(TP).orElseThrow();
    }

    /** Appends {@code batches} idempotent batches of 5 records of {@link #PRODUCER}, remembering every value. */
    private void produce(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            MemoryRecords records = batch().records(5).valueSize(200).timestamp(clock.millis() + appended.size())
                    .producer(PRODUCER, (short) 0, nextSequence).build();
            AppendResult result = log.append(records);
            assertThat(result.duplicate()).isFalse();
            nextSequence += 5;
            long offset = result.firstOffset();
            for (RecordBatch b : records.batches()) {
                for (Record r : b) {
                    appended.put(offset++, Utils.toArray(r.value()));
                }
            }
        }
    }

    /** Every record readable from offset 0 to the high watermark (local or remote), in order. */
    private static List<Record> readAll(PartitionLog log) throws Exception {
        List<Record> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            Records records = log.readAsync(next, 64 * 1024, true).get(30, TimeUnit.SECONDS).records();
            boolean progressed = false;
            for (RecordBatch b : records.batches()) {
                for (Record r : b) {
                    if (r.offset() >= next) {
                        out.add(r);
                    }
                }
                if (b.nextOffset() > next) {
                    next = b.nextOffset();
                    progressed = true;
                }
            }
            assertThat(progressed).as("a read at offset %d returns records", next).isTrue();
        }
        return out;
    }

    /** The values at offsets 0 to {@code end - 1} are those appended, at the same offsets. */
    private void assertReadsEverything(PartitionLog log, long end) throws Exception {
        List<Record> read = readAll(log);
        assertThat(read).hasSize((int) end);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).offset()).isEqualTo(i);
            assertThat(Utils.toArray(read.get(i).value())).as("value at offset %d", i)
                    .isEqualTo(appended.get((long) i));
        }
    }

    private static List<RecordBatch> batchesOf(PartitionLog log) throws Exception {
        List<RecordBatch> batches = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            Records records = log.readAsync(next, 64 * 1024, true).get(30, TimeUnit.SECONDS).records();
            for (RecordBatch b : records.batches()) {
                if (b.nextOffset() > next) {
                    batches.add(b);
                    next = b.nextOffset();
                }
            }
        }
        return batches;
    }

    private String key(LogManager manager, String what, long offset) {
        UUID topicId = log(manager).key().topicId();
        return switch (what) {
            case "manifest" -> RemoteLayout.partitionManifest(TP, topicId);
            case "producers" -> RemoteLayout.producerState(TP, topicId, offset);
            case "segment" -> RemoteLayout.segment(TP, topicId, offset);
            case "index" -> RemoteLayout.index(TP, topicId, offset);
            default -> throw new IllegalArgumentException(what);
        };
    }

    @Test
    void handedOverPartitionReopensOnAnotherBrokerWithEveryRecordAndItsProducerState() throws Exception {
        // Given two brokers on one bucket prefix, and records appended on A at leader epoch 3
        LogManager a = broker("a");
        LogManager b = broker("b");
        TopicLogs topic = a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog onA = log(a);
        onA.setLeaderEpoch(3);
        produce(onA, 30);
        long endOnA = onA.highWatermark();

        // When A hands the partition over
        long handedOverAt = a.handOff(TP).get(60, TimeUnit.SECONDS);

        // Then every offset below A's end is in the bucket, with the producer state at the end
        assertThat(handedOverAt).isEqualTo(endOnA).isEqualTo(150);
        assertThat(onA.remoteEndOffset()).isEqualTo(endOnA);
        assertThat(bucket.head(key(a, "producers", endOnA)).join()).isPresent();
        assertThat(PartitionManifest.fromJson(bucket.get(key(a, "manifest", 0)).join()).segments()
                .get(PartitionManifest.fromJson(bucket.get(key(a, "manifest", 0)).join()).segments().size() - 1)
                .lastOffset()).isEqualTo(endOnA - 1);

        // When B adopts the topic with the cluster's id and reopens the partition from the bucket
        b.adoptTopic("orders", topic.topicId(), 1, TIERED);
        b.reopenFromBucket(TP);
        PartitionLog onB = log(b);

        // Then B serves every record from offset 0 at the same offsets, stamped with A's epoch, and ends where A did
        assertThat(onB.logStartOffset()).isZero();
        assertThat(onB.highWatermark()).isEqualTo(endOnA);
        assertReadsEverything(onB, endOnA);
        assertThat(batchesOf(onB)).allSatisfy(batch -> assertThat(batch.partitionLeaderEpoch()).isEqualTo(3));

        // And the idempotent producer carries on: a retry of its last batch is a duplicate, its next sequence is
        // accepted at the end offset, and a gap in its sequences is refused (B knows where it stands)
        AppendResult retried = onB.append(batch().records(5).valueSize(200)
                .producer(PRODUCER, (short) 0, nextSequence - 5).build());
        assertThat(retried.duplicate()).isTrue();
        assertThat(retried.firstOffset()).isEqualTo(endOnA - 5);
        assertThatThrownBy(() -> onB.append(batch().records(5).producer(PRODUCER, (short) 0, nextSequence + 50)
                .build())).isInstanceOf(OutOfOrderSequenceException.class);
        onB.setLeaderEpoch(4);
        produce(onB, 10);
        assertThat(onB.highWatermark()).isEqualTo(endOnA + 50);

        // When B hands it back and A, which still holds its stale local copy, reopens it from the bucket
        long endOnB = b.handOff(TP).get(60, TimeUnit.SECONDS);
        assertThat(endOnB).isEqualTo(endOnA + 50);
        a.adoptTopic("orders", topic.topicId(), 1, TIERED); // idempotent: the topic is there with that id
        a.reopenFromBucket(TP);
        PartitionLog backOnA = log(a);
        backOnA.setLeaderEpoch(5); // the reopened log keeps A's old epoch 3; its new leadership comes with a new one

        // Then A sees B's records too, with B's epoch on them, and B's producer state
        assertThat(backOnA).isNotSameAs(onA);
        assertThat(backOnA.highWatermark()).isEqualTo(endOnB);
        assertReadsEverything(backOnA, endOnB);
        assertThat(batchesOf(backOnA).get(batchesOf(backOnA).size() - 1).partitionLeaderEpoch()).isEqualTo(4);
        assertThat(backOnA.append(batch().records(5).valueSize(200).producer(PRODUCER, (short) 0, nextSequence - 5)
                .build()).duplicate()).isTrue();
        assertThat(backOnA.append(batch().records(1).producer(PRODUCER, (short) 0, nextSequence).build())
                .firstOffset()).isEqualTo(endOnB);

        // And A, whose last manifest write was overwritten by B, writes the partition's manifest again
        nextSequence++;
        produce(backOnA, 4);
        long endBackOnA = a.handOff(TP).get(60, TimeUnit.SECONDS);
        assertThat(endBackOnA).isEqualTo(endOnB + 21);
        assertThat(PartitionManifest.fromJson(bucket.get(key(a, "manifest", 0)).join()).segments())
                .last().satisfies(segment -> assertThat(segment.lastOffset()).isEqualTo(endBackOnA - 1));

        // And only the newest producer-state object is kept
        assertThat(bucket.listAll(RemoteLayout.partitionPrefix(TP, onA.key().topicId())).join())
                .extracting(ObjectInfo::key).filteredOn(k -> RemoteLayout.producerStateEndOf(k).isPresent())
                .containsExactly(key(a, "producers", endBackOnA));

        // And the bucket checks out: every object is referenced (the producer-state objects included)
        BucketInspector inspector = new BucketInspector(bucket);
        assertThat(inspector.verify(inspector.inventory(), true)).isEmpty();
    }

    @Test
    void aSegmentWhoseIndexWasUploadedAfterTheListingIsRestored() throws Exception {
        // Given a partition in the bucket, and a reader whose listing was taken just before the last segment's index
        // object went up (the leader uploads while a broker restores: listing, then the manifest read)
        LogManager a = broker("a");
        TopicLogs topic = a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog onA = log(a);
        produce(onA, 30);
        onA.sealForHandOff();
        a.remote().orElseThrow().runPassAndWait();
        String lastIndex = key(a, "index", onA.uploadableSegments().get(onA.uploadableSegments().size() - 1)
                .baseOffset());
        LogManager b = broker("b", new StaleListings(openStore(), lastIndex::equals));

        // When B reopens it, Then the manifest's segments are all there
        b.adoptTopic("orders", topic.topicId(), 1, TIERED);
        b.reopenFromBucket(TP);
        assertThat(log(b).logEndOffset()).isEqualTo(150);
        assertReadsEverything(log(b), 150);
    }

    @Test
    void aBrokerThatSkipsTheStartupRestoreOpensAPartitionFromTheBucketWhenItComesToLeadIt() throws Exception {
        // Given a partition in the bucket
        LogManager a = broker("a");
        TopicLogs topic = a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog onA = log(a);
        produce(onA, 30);
        onA.sealForHandOff();
        a.remote().orElseThrow().runPassAndWait();

        // When another broker starts on an empty disk without restoring the bucket's catalog
        LogManager b = LogManager.open(tempDir.resolve("b"), Map.of(), clock, QUIET, 2,
                Optional.of(new RemoteStorage(openStore(), REMOTE, PrefixLease.exclusive())), false);
        closeables.add(b);

        // Then it knows no topic until told, and reopening the partition from the bucket serves everything
        assertThat(b.topics()).isEmpty();
        b.adoptTopic("orders", topic.topicId(), 1, TIERED);
        b.reopenFromBucket(TP);
        assertThat(log(b).logEndOffset()).isEqualTo(150);
        assertReadsEverything(log(b), 150);
    }

    @Test
    void reopenReplaysSegmentsAboveTheNewestProducerStateObject() throws Exception {
        // Given a partition whose segments reached the bucket by the periodic uploads only (no hand-over, so no
        // producer-state object)
        LogManager a = broker("a");
        LogManager b = broker("b");
        TopicLogs topic = a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog onA = log(a);
        produce(onA, 30);
        onA.sealForHandOff();
        a.remote().orElseThrow().runPassAndWait();
        assertThat(onA.remoteEndOffset()).isEqualTo(150);
        assertThat(bucket.listAll(RemoteLayout.partitionPrefix(TP, onA.key().topicId())).join())
                .extracting(ObjectInfo::key).noneMatch(k -> RemoteLayout.producerStateEndOf(k).isPresent());

        // When B reopens it
        b.adoptTopic("orders", topic.topicId(), 1, TIERED);
        b.reopenFromBucket(TP);

        // Then the producer state comes from the segments themselves
        assertThat(log(b).append(batch().records(5).valueSize(200).producer(PRODUCER, (short) 0, nextSequence - 5)
                .build()).duplicate()).isTrue();
        assertThatThrownBy(() -> log(b).append(batch().records(1).producer(PRODUCER, (short) 0, nextSequence + 7)
                .build())).isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void writeGateStopsUploadsAndRetention() throws Exception {
        // Given a broker that may write nothing, with sealed segments of a tiered and of a local-only topic
        LogManager a = broker("a");
        AtomicBoolean mayWrite = new AtomicBoolean(false);
        a.setWriteGate(tp -> mayWrite.get());
        a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog tiered = log(a);
        produce(tiered, 20);
        tiered.flush();
        assertThat(tiered.uploadableSegments()).isNotEmpty();
        LogManager local = LogManager.open(tempDir.resolve("local"), Map.of(), clock,
                new LogManagerSchedule(20, 3_600_000, 3_600_000));
        closeables.add(local);
        local.setWriteGate(tp -> mayWrite.get());
        local.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "4096", "retention.bytes", "1"));
        produce(log(local), 20);
        int localSegments = log(local).segmentRecords().size();
        assertThat(localSegments).isGreaterThan(2);

        // When the remote tier runs its pass and retention gets many chances
        a.remote().orElseThrow().runPassAndWait();

        // Then, for as long as the periodic tasks get several chances, nothing of the topic is in the bucket and
        // retention deletes nothing
        org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(300))
                .atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
                    assertThat(bucket.listAll(RemoteLayout.TOPICS).join()).isEmpty();
                    assertThat(tiered.remoteEndOffset()).isZero();
                    assertThat(log(local).segmentRecords()).hasSize(localSegments);
                    assertThat(log(local).logStartOffset()).isZero();
                });

        // When the gate opens, the same passes upload and apply retention
        mayWrite.set(true);
        a.remote().orElseThrow().runPassAndWait();
        assertThat(tiered.remoteEndOffset()).isGreaterThan(0);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> log(local).logStartOffset() > 0);
    }

    @Test
    void refusedUploadLeavesTheSegmentUncatalogedAndTheManifestUnchanged() throws Exception {
        // Given a partition with one segment uploaded and cataloged
        LogManager a = broker("a");
        a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog log = log(a);
        produce(log, 8);
        log.sealForHandOff();
        log.resumeAppends(); // sealed only to make the segment uploadable: it takes appends again
        a.remote().orElseThrow().runPassAndWait();
        long cataloged = log.remoteEndOffset();
        assertThat(cataloged).isEqualTo(40);
        byte[] manifestBefore = bucket.get(key(a, "manifest", 0)).join();

        // When the fence says this broker lost the partition while the next segment goes up
        AtomicInteger asked = new AtomicInteger();
        AtomicBoolean leads = new AtomicBoolean(false);
        a.setUploadFence((tp, end) -> {
            asked.incrementAndGet();
            return CompletableFuture.completedFuture(leads.get());
        });
        produce(log, 8);
        log.sealForHandOff();
        a.remote().orElseThrow().runPassAndWait();

        // Then the segment is in the bucket but not cataloged, and the manifest is the one before
        assertThat(asked.get()).isEqualTo(1);
        assertThat(bucket.head(key(a, "segment", 40)).join()).isPresent();
        assertThat(log.remoteEndOffset()).isEqualTo(cataloged);
        assertThat(a.indexStore().remoteSegments().list(log.key())).filteredOn(s -> s.baseOffset() == 40)
                .extracting(RemoteSegment::state).containsExactly(RemoteSegmentState.COPY_STARTED);
        assertThat(bucket.get(key(a, "manifest", 0)).join()).isEqualTo(manifestBefore);
        BucketInspector inspector = new BucketInspector(bucket);
        assertThat(inspector.verify(inspector.inventory(), false)).extracting(BucketInspector.Problem::kind)
                .containsOnly("ORPHAN").hasSize(2); // the refused segment and its sidecar, as the README says

        // And uploads of the partition stop, even once the fence would say yes, and a hand-over is refused
        leads.set(true);
        a.remote().orElseThrow().runPassAndWait();
        assertThat(asked.get()).isEqualTo(1);
        assertThat(log.remoteEndOffset()).isEqualTo(cataloged);
        assertThatThrownBy(() -> a.handOff(TP).get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UploadFencedException.class);
        assertThat(bucket.get(key(a, "manifest", 0)).join()).isEqualTo(manifestBefore);
    }

    @Test
    void fenceThatFailsIsRetriedLikeAFailedPut() throws Exception {
        // Given a fence whose first answer is an error (the database unreachable)
        LogManager a = broker("a");
        AtomicInteger asked = new AtomicInteger();
        a.setUploadFence((tp, end) -> asked.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new IllegalStateException("database unreachable"))
                : CompletableFuture.completedFuture(true));
        a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog log = log(a);
        produce(log, 8);
        log.sealForHandOff();

        // When the pass runs, fails, and runs again after the backoff
        a.remote().orElseThrow().runPassAndWait();
        assertThat(asked.get()).isEqualTo(1);
        assertThat(log.remoteEndOffset()).isZero();
        clock.advanceMs(1_000);
        a.remote().orElseThrow().runPassAndWait();

        // Then the retry asked again and cataloged every segment
        assertThat(asked.get()).isGreaterThanOrEqualTo(2);
        assertThat(log.remoteEndOffset()).isEqualTo(40);
    }

    @Test
    void handOffFailsAfterItsTimeoutInsteadOfHanging() throws Exception {
        // Given a fence that never answers (the metadata database hangs)
        LogManager a = broker("a");
        a.setUploadFence((tp, end) -> new CompletableFuture<>());
        a.createTopic("orders", 1, (short) 1, TIERED);
        produce(log(a), 4);

        // When the partition is handed over with a 2 s timeout
        long started = System.nanoTime();
        CompletableFuture<Long> handOff = a.handOff(TP, Duration.ofSeconds(2));

        // Then the hand-over fails with a timeout, in about that time, and nothing is cataloged
        assertThatThrownBy(() -> handOff.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(log(a).remoteEndOffset()).isZero();
        assertThat(bucket.head(key(a, "manifest", 0)).join()).isEmpty();
    }

    @Test
    void handOffWaitsForAPassThatIsUploadingThePartition() throws Exception {
        // Given a periodic pass stuck in the middle of an upload (its fence answer is held back)
        LogManager a = broker("a");
        java.util.concurrent.CountDownLatch passInFence = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<Boolean> heldAnswer = new CompletableFuture<>();
        AtomicInteger asked = new AtomicInteger();
        a.setUploadFence((tp, end) -> {
            if (asked.incrementAndGet() == 1) {
                passInFence.countDown();
                return heldAnswer;
            }
            return CompletableFuture.completedFuture(true);
        });
        a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog log = log(a);
        produce(log, 8);
        log.sealForHandOff();
        CompletableFuture<Void> pass = CompletableFuture.runAsync(() -> a.remote().orElseThrow().runPassAndWait());
        assertThat(passInFence.await(30, TimeUnit.SECONDS)).isTrue();

        // When the partition is handed over meanwhile
        CompletableFuture<Long> handOff = a.handOff(TP);

        // Then the hand-over waits for the pass, and both finish once the pass goes on
        org.awaitility.Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> !handOff.isDone());
        heldAnswer.complete(true);
        assertThat(handOff.get(60, TimeUnit.SECONDS)).isEqualTo(40);
        pass.get(60, TimeUnit.SECONDS);
        assertThat(log.remoteEndOffset()).isEqualTo(40);
        assertThat(PartitionManifest.fromJson(bucket.get(key(a, "manifest", 0)).join()).segments())
                .last().satisfies(segment -> assertThat(segment.lastOffset()).isEqualTo(39));
    }

    @Test
    void adoptTopicIsIdempotentGrowsPartitionsAndRefusesAnotherId() {
        // Given a topic adopted with the cluster's id
        LogManager b = broker("b");
        org.apache.kafka.common.Uuid id = org.apache.kafka.common.Uuid.randomUuid();
        TopicLogs adopted = b.adoptTopic("orders", id, 1, TIERED);
        assertThat(adopted.topicId()).isEqualTo(id);
        PartitionLog first = log(b);

        // When it is adopted again, with the same and then with more partitions
        TopicLogs again = b.adoptTopic("orders", id, 1, TIERED);
        TopicLogs grown = b.adoptTopic("orders", id, 3, TIERED);

        // Then the same logs are kept, partitions are added, and a smaller count changes nothing
        assertThat(again.partitions()).containsExactly(first);
        assertThat(grown.partitions()).hasSize(3).startsWith(first);
        assertThat(b.adoptTopic("orders", id, 2, TIERED).partitions()).hasSize(3);
        assertThat(b.indexStore().topics().list()).singleElement()
                .satisfies(topic -> assertThat(topic.partitions()).isEqualTo(3));

        // And the name with another id is refused, and nothing of the topic was written to the bucket
        assertThatThrownBy(() -> b.adoptTopic("orders", org.apache.kafka.common.Uuid.randomUuid(), 1, TIERED))
                .isInstanceOf(org.apache.kafka.common.errors.TopicExistsException.class);
        assertThat(bucket.listAll(RemoteLayout.TOPICS).join()).isEmpty();
    }

    @Test
    void forgetTopicDropsItLocallyAndLeavesTheBucketAlone() throws Exception {
        // Given a topic handed over to the bucket
        LogManager a = broker("a");
        TopicLogs topic = a.createTopic("orders", 1, (short) 1, TIERED);
        produce(log(a), 10);
        a.handOff(TP).get(60, TimeUnit.SECONDS);
        List<String> before = bucket.listAll("").join().stream().map(ObjectInfo::key).sorted().toList();
        Path directory = log(a).directory();

        // When the broker forgets it
        a.forgetTopic("orders");

        // Then it is gone locally, every object is still in the bucket, and it can be adopted again
        assertThat(a.topic("orders")).isEmpty();
        assertThat(a.indexStore().topics().list()).isEmpty();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> !java.nio.file.Files.exists(directory));
        assertThat(bucket.listAll("").join().stream().map(ObjectInfo::key).sorted().toList()).isEqualTo(before);
        a.adoptTopic("orders", topic.topicId(), 2, TIERED);
        a.reopenFromBucket(TP);
        assertThat(log(a).highWatermark()).isEqualTo(50);
        assertThat(a.topic("orders").orElseThrow().partitions()).hasSize(2);
    }

    /** Stands for the metadata database's WAL records: commits every range it is given, lists them back. */
    private static final class CommittedWal {
        final List<WalObjectCommit> commits = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** While incomplete, commits do not answer. */
        volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
        /** What every range gets; only COMMITTED ones are recorded. */
        volatile WalCommitOutcome outcome = WalCommitOutcome.COMMITTED;

        Map<TopicPartitionId, WalCommitOutcome> commit(WalObjectCommit commit) {
            gate.join();
            WalCommitOutcome decided = outcome;
            if (decided == WalCommitOutcome.COMMITTED) {
                commits.add(commit);
            }
            Map<TopicPartitionId, WalCommitOutcome> outcomes = new java.util.TreeMap<>();
            commit.ranges().forEach(r -> outcomes.put(r.partition(), decided));
            return outcomes;
        }

        /** The committed ranges, as {@link WalReader} asks for them. */
        WalReader.Ranges ranges() {
            return WalRangesOnly.of(() -> commits.stream().flatMap(c -> c.ranges().stream()).toList());
        }
    }

    /** Attaches a write-ahead log to {@code log}: a real {@link WalWriter} on the bucket, committing to the database. */
    private void attachWal(PartitionLog log, CommittedWal database) {
        WalWriter writer = new WalWriter(bucket, database::commit, 1, UUID.randomUUID(),
                new WalSettings(Duration.ofMillis(5), 4096, 4, 1 << 20), new WalMetrics());
        closeables.add(() -> {
            database.gate.complete(null);
            writer.close();
        });
        log.attachWal(new WalLogSink(writer));
    }

    @Test
    void handOffWithAWalUploadsOnlyOnceTheLastAppendsAreCommitted() throws Exception {
        // Given a partition with a write-ahead log whose last appends are not committed yet
        LogManager a = broker("a");
        a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog onA = log(a);
        CommittedWal database = new CommittedWal();
        attachWal(onA, database);
        produce(onA, 4);
        onA.awaitCommitted(20).get(30, TimeUnit.SECONDS);
        database.gate = new CompletableFuture<>();
        produce(onA, 6);

        // When A hands the partition over
        CompletableFuture<Long> handOff = a.handOff(TP);

        // Then nothing goes to the bucket while the commit is pending (rule 3), and all of it once it is done
        org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> {
                    assertThat(handOff).isNotDone();
                    assertThat(onA.remoteEndOffset()).isZero();
                });
        database.gate.complete(null);
        assertThat(handOff.get(60, TimeUnit.SECONDS)).isEqualTo(50);
        assertThat(onA.remoteEndOffset()).isEqualTo(50);
    }

    @Test
    void handOffFailsWhenTheLastAppendsAreFenced() throws Exception {
        LogManager a = broker("a");
        a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog onA = log(a);
        CommittedWal database = new CommittedWal();
        attachWal(onA, database);
        database.outcome = WalCommitOutcome.FENCED;
        produce(onA, 3);

        assertThatThrownBy(() -> a.handOff(TP).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("were not committed");
        assertThat(onA.remoteEndOffset()).isZero();
    }

    @Test
    void uploadFenceHearsOfEachUploadedSegmentOnlyOnceTheManifestListsIt() throws Exception {
        // Given a fence that notes, whenever it is told that segments are manifested, what the manifest lists then
        LogManager a = broker("a");
        a.createTopic("orders", 1, (short) 1, TIERED);
        List<long[]> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        a.setUploadFence(new UploadFence() {
            @Override
            public CompletableFuture<Boolean> confirm(TopicPartition tp, long uploadedEnd) {
                return CompletableFuture.completedFuture(true);
            }

            @Override
            public void manifested(TopicPartition tp, long end) {
                List<ManifestSegment> listed = PartitionManifest.fromJson(
                        bucket.get(key(a, "manifest", 0)).join()).segments();
                told.add(new long[] {end, listed.get(listed.size() - 1).lastOffset() + 1});
            }
        });
        produce(log(a), 30);
        log(a).sealForHandOff();

        // When its segments are uploaded
        a.remote().orElseThrow().runPassAndWait();

        // Then the fence was told of each segment's end, up to the log end, each time after the manifest listed it
        assertThat(told).isNotEmpty().allSatisfy(t -> assertThat(t[1]).as("listed when told of %d", t[0])
                .isGreaterThanOrEqualTo(t[0]));
        assertThat(told.get(told.size() - 1)[0]).isEqualTo(150);
    }

    /**
     * Given partition 0 of "orders" led by {@code a} at epoch 3, its first 150 offsets in uploaded segments, the next
     * 35 only in WAL objects committed to {@code database}, and 10 more only on A's disk (never committed).
     */
    private TopicLogs tailOnlyInTheWal(LogManager a, CommittedWal database) throws Exception {
        TopicLogs topic = a.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog onA = log(a);
        onA.setLeaderEpoch(3);
        produce(onA, 30);
        onA.sealForHandOff();
        onA.resumeAppends(); // sealed only to make the segment uploadable: it takes appends again
        a.remote().orElseThrow().runPassAndWait();
        assertThat(onA.remoteEndOffset()).isEqualTo(150);
        attachWal(onA, database);
        produce(onA, 7);
        onA.awaitCommitted(185).get(30, TimeUnit.SECONDS);
        assertThat(database.commits).as("the tail spans several WAL objects").hasSizeGreaterThan(1);
        database.gate = new CompletableFuture<>();
        produce(onA, 2);
        assertThat(onA.logEndOffset()).isEqualTo(195);
        assertThat(onA.highWatermark()).isEqualTo(185);
        return topic;
    }

    @Test
    void reopenedLogEndsAtItsUploadedSegmentsPlusTheCommittedWalTail() throws Exception {
        // Given a partition whose tail above its uploaded segments is only in committed WAL objects
        LogManager a = broker("a");
        LogManager b = broker("b");
        CommittedWal database = new CommittedWal();
        TopicLogs topic = tailOnlyInTheWal(a, database);

        // When B rebuilds the partition from the bucket's segments and the committed WAL ranges (ranged GETs)
        b.adoptTopic("orders", topic.topicId(), 1, TIERED);
        b.setWalTail(new WalReader(database.ranges(), openStore()));
        b.reopenFromBucket(TP);
        PartitionLog onB = log(b);

        // Then its log ends at the committed end, every record below it readable at its offset with A's epoch,
        // and nothing of A's uncommitted appends
        assertThat(onB.logEndOffset()).isEqualTo(185);
        assertThat(onB.highWatermark()).isEqualTo(185);
        assertReadsEverything(onB, 185);
        assertThat(batchesOf(onB)).allSatisfy(batch -> assertThat(batch.partitionLeaderEpoch()).isEqualTo(3));

        // And the producer state includes the replayed batches: a retry of the last committed batch is a duplicate,
        // and the producer's next sequence after it is accepted at the committed end
        AppendResult retry = onB.append(batch().records(5).valueSize(200).producer(PRODUCER, (short) 0, 180)
                .build());
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(180);
        assertThat(onB.append(batch().records(5).producer(PRODUCER, (short) 0, 185).build()).firstOffset())
                .isEqualTo(185);
    }

    @Test
    void reopenThatCannotReadTheWalTailFailsAndTheNextOneRebuildsEverything() throws Exception {
        // Given a partition whose tail above its uploaded segments is only in committed WAL objects
        LogManager a = broker("a");
        LogManager b = broker("b");
        CommittedWal database = new CommittedWal();
        TopicLogs topic = tailOnlyInTheWal(a, database);
        b.adoptTopic("orders", topic.topicId(), 1, TIERED);
        WalReader reader = new WalReader(database.ranges(), openStore());
        AtomicBoolean unreachable = new AtomicBoolean(true);
        b.setWalTail((partition, from) -> {
            if (unreachable.get()) {
                throw new IllegalStateException("the bucket is unreachable");
            }
            return reader.read(partition, from);
        });

        // When B's first reopen cannot read the tail, it fails; the next one, once the bucket answers, succeeds
        assertThatThrownBy(() -> b.reopenFromBucket(TP)).hasMessageContaining("unreachable");
        unreachable.set(false);
        b.reopenFromBucket(TP);

        // Then the partition is whole: segments plus the committed tail, nothing else
        PartitionLog onB = log(b);
        assertThat(onB.logEndOffset()).isEqualTo(185);
        assertReadsEverything(onB, 185);
        assertThat(onB.append(batch().records(5).producer(PRODUCER, (short) 0, 185).build()).firstOffset())
                .isEqualTo(185);

        // And the log the failed attempt had opened was closed: none of its (since deleted) files is still open
        assertThat(openFilesUnder(onB.directory())).noneMatch(file -> file.endsWith("(deleted)"));
    }

    /** The files this JVM holds open under {@code directory} (Linux: {@code /proc/self/fd}). */
    private static List<String> openFilesUnder(Path directory) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!java.nio.file.Files.isDirectory(fds)) {
            org.junit.jupiter.api.Assertions.assertNotEquals("true", System.getenv("CI"),
                    "CI must list open files, and " + fds + " is missing");
            org.junit.jupiter.api.Assumptions.abort("no " + fds + ": cannot list the files this JVM holds open");
        }
        List<String> open = new ArrayList<>();
        try (var entries = java.nio.file.Files.list(fds)) {
            for (Path fd : entries.toList()) {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(directory.toString())) {
                        open.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed while listing
                }
            }
        }
        return open;
    }
}
