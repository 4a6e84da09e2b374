package io.strata.tiering.remote;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.objectstore.ListPage;
import io.strata.objectstore.ForwardingObjectStore;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.LogManager;
import io.strata.tiering.LogManagerSchedule;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.testing.InMemoryObjectStore;
import io.strata.tiering.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote tier end to end inside the tiering module, against an in-memory bucket: copies,
 * local retention, reads and offset lookups across tiers, total retention, restore from the bucket
 * and an outage. (The broker's integration tests run the same paths against a real S3 server.)
 */
class RemoteTierTest {

    private static final LogManagerSchedule QUIET = new LogManagerSchedule(3_600_000, 3_600_000, 3_600_000);
    private static final RemoteConfig REMOTE = new RemoteConfig(3_600_000, 2, Long.MAX_VALUE, 10, 100, 4096,
            1 << 20, RemoteConfig.DEFAULT_READ_AHEAD_CHUNKS, 3_600_000);
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final Map<String, String> TIERED = Map.of("segment.bytes", "8192", "local.retention.bytes", "1",
            "index.interval.bytes", "1024", "retention.ms", "-1");
    private static final int BATCHES = 120;
    private static final int RECORDS_PER_BATCH = 10;

    @TempDir
    Path tempDir;
    final MutableClock clock = new MutableClock();
    final InMemoryObjectStore bucket = new InMemoryObjectStore();
    final List<LogManager> managers = new ArrayList<>();

    /** What was appended: offset, timestamp and value of every record. */
    record Appended(long offset, long timestamp, ByteBuffer value) {
    }

    final List<Appended> appended = new ArrayList<>();

    @AfterEach
    void closeAll() {
        managers.forEach(LogManager::close);
    }

    private LogManager open(String dir) {
        LogManager manager = LogManager.open(tempDir.resolve(dir), Map.of(), clock, QUIET, 2,
                Optional.of(new RemoteStorage(bucket, REMOTE, PrefixLease.exclusive())));
        managers.add(manager);
        return manager;
    }

    private PartitionLog log(LogManager manager) {
        return manager.log(TP).orElseThrow();
    }

    private void produce(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            long ts = clock.millis() + appended.size();
            MemoryRecords records = batch().records(RECORDS_PER_BATCH).valueSize(100).timestamp(ts).build();
            log.append(records);
            for (RecordBatch b : records.batches()) {
                for (Record r : b) {
                    appended.add(new Appended(r.offset(), r.timestamp(), r.value()));
                }
            }
        }
    }

    /** Creates the tiered topic "orders" and appends {@code batches} batches to its partition. */
    private PartitionLog tieredOrders(LogManager manager, int batches) {
        manager.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog log = log(manager);
        produce(log, batches);
        return log;
    }

    /** One pass of the remote tier once every sealed segment's fsync is checkpointed (only synced ones go up). */
    private static void pass(LogManager manager) {
        manager.topics().forEach(topic -> topic.partitions().forEach(PartitionLog::flush));
        manager.remote().orElseThrow().runPassAndWait();
    }

    /** Reads everything from {@code from} to the high watermark through {@link PartitionLog#read}. */
    private static List<Record> readAll(PartitionLog log, long from) {
        List<Record> out = new ArrayList<>();
        long next = from;
        while (next < log.highWatermark()) {
            MemoryRecords records = log.read(next, 3000, true).memoryRecords();
            for (RecordBatch b : records.batches()) {
                for (Record r : b) {
                    if (r.offset() >= next) {
                        out.add(r);
                    }
                }
                next = Math.max(next, b.nextOffset());
            }
        }
        return out;
    }

    private void assertReadsEverything(PartitionLog log, long from) {
        List<Record> read = readAll(log, from);
        List<Appended> expected = appended.stream().filter(a -> a.offset() >= from).toList();
        assertThat(read).hasSameSizeAs(expected);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).offset()).isEqualTo(expected.get(i).offset());
            assertThat(read.get(i).timestamp()).isEqualTo(expected.get(i).timestamp());
            assertThat(Utils.toArray(read.get(i).value())).isEqualTo(Utils.toArray(expected.get(i).value().duplicate()));
        }
    }

    private long expectedOffsetFor(long timestamp) {
        return appended.stream().filter(a -> a.timestamp() >= timestamp).mapToLong(Appended::offset).findFirst()
                .orElse(-1);
    }

    @Test
    void sealedSegmentsGoToTheBucketByteForByteAndLocalCopiesGoAfterUpload() throws Exception {
        LogManager manager = open("a");
        PartitionLog log = tieredOrders(manager, BATCHES);
        List<Long> sealed = log.sealedSegments().stream().map(s -> s.baseOffset()).toList();
        assertThat(sealed).hasSizeGreaterThan(10);

        log.deleteExpiredSegments();
        assertThat(log.localStartOffset()).as("nothing is uploaded yet, so nothing local may go").isZero();

        pass(manager);

        String prefix = RemoteLayout.partitionPrefix(TP, log.key().topicId());
        for (long base : sealed) {
            byte[] local = Files.readAllBytes(log.segmentFile(base));
            assertThat(bucket.bytes(prefix + RemoteLayout.fileName(base) + ".log")).hasValueSatisfying(
                    remote -> assertThat(remote).isEqualTo(local));
            assertThat(bucket.bytes(prefix + RemoteLayout.fileName(base) + ".index")).isPresent();
        }
        PartitionManifest manifest = PartitionManifest.fromJson(
                bucket.bytes(RemoteLayout.partitionManifest(TP, log.key().topicId())).orElseThrow());
        assertThat(manifest.segments()).extracting(ManifestSegment::baseOffset).containsExactlyElementsOf(sealed);
        assertThat(manifest.segments().get(0).crc32c()).hasSize(8);
        assertThat(TopicManifest.fromJson(bucket.bytes(RemoteLayout.topicManifest("orders", log.key().topicId()))
                .orElseThrow()).configs()).containsEntry("segment.bytes", "8192");
        assertThat(log.remoteEndOffset()).isEqualTo(log.sealedSegments().get(sealed.size() - 1).nextOffset());

        log.deleteExpiredSegments();

        assertThat(log.localStartOffset()).isEqualTo(log.remoteEndOffset());
        assertThat(log.logStartOffset()).isZero();
        assertReadsEverything(log, 0);
        assertReadsEverything(log, 137);
        assertThat(manager.remote().orElseThrow().cache().gets()).isPositive();
    }

    @Test
    void aRemoteReadLoadsTheNextTwoChunksAheadOfTheConsumerAcrossSegments() {
        LogManager manager = open("a");
        PartitionLog log = tieredOrders(manager, BATCHES);
        assertThat(log.sealedSegments().get(0).sizeBytes()).as("segments of two chunks or more")
                .isGreaterThan(REMOTE.fetchChunkBytes());
        long secondSegment = log.sealedSegments().get(1).baseOffset();
        pass(manager);
        log.deleteExpiredSegments();
        assertThat(log.localStartOffset()).as("read from the bucket only").isGreaterThan(secondSegment);
        ChunkCache cache = manager.remote().orElseThrow().cache();

        MemoryRecords first = log.read(0, 500, true).memoryRecords();

        assertThat(first.sizeInBytes()).as("one batch, well inside the first chunk").isLessThan(REMOTE.fetchChunkBytes());
        assertThat(REMOTE.fetchReadAheadChunks()).isEqualTo(2);
        assertThat(cache.gets()).as("the first chunk, then ahead of the consumer the segment's second chunk "
                + "and the next segment's first").isEqualTo(3);

        long next = first.batches().iterator().next().nextOffset();
        while (next < secondSegment) {
            for (RecordBatch b : log.read(next, 500, true).records().batches()) {
                next = b.nextOffset();
            }
        }
        assertThat(cache.gets()).as("the first segment's two chunks, then the next segment's two chunks ahead")
                .isEqualTo(4);
    }

    @Test
    void offsetLookupsByTimestampAndMaxTimestampSpanBothTiers() {
        LogManager manager = open("a");
        PartitionLog log = tieredOrders(manager, BATCHES);
        pass(manager);
        log.deleteExpiredSegments();
        assertThat(log.localStartOffset()).isPositive();
        long getsBefore = bucket.rangedGets.get() + bucket.gets.get();

        for (int i : new int[] {0, 1, 9, 10, 333, 555, appended.size() - 1}) {
            long ts = appended.get(i).timestamp();
            assertThat(log.offsetForTimestamp(ts)).map(t -> t.offset).contains(expectedOffsetFor(ts));
        }
        assertThat(log.offsetForTimestamp(appended.get(appended.size() - 1).timestamp() + 1)).isEmpty();
        assertThat(bucket.rangedGets.get() + bucket.gets.get()).as("no object is read to answer").isEqualTo(getsBefore);

        long last = appended.get(appended.size() - 1).offset();
        Optional<TimestampAndOffset> max = log.maxTimestampOffset();
        assertThat(max).map(t -> t.offset).contains(last);
    }

    @Test
    void maxTimestampInARemoteOnlySegmentIsAnsweredFromTheCatalog() {
        LogManager manager = open("a");
        PartitionLog log = tieredOrders(manager, 3);
        long future = clock.millis() + 1_000_000;
        log.append(batch().records(5).timestamp(future).valueSize(100).build());
        long offsetOfMax = log.highWatermark() - 1;
        produce(log, 40);
        pass(manager);
        log.deleteExpiredSegments();
        assertThat(log.localStartOffset()).isGreaterThan(offsetOfMax);
        long getsBefore = bucket.rangedGets.get();

        assertThat(log.maxTimestampOffset()).map(t -> t.offset).contains(offsetOfMax);
        assertThat(log.maxTimestampOffset()).map(t -> t.timestamp).contains(future + 4);
        assertThat(bucket.rangedGets.get()).isEqualTo(getsBefore);
    }

    @Test
    void totalRetentionDeletesRemoteSegmentsAndAdvancesTheLogStart() {
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "8192", "local.retention.bytes", "1",
                "retention.ms", "3600000"));
        PartitionLog log = log(manager);
        produce(log, BATCHES);
        pass(manager);
        log.deleteExpiredSegments();
        String prefix = RemoteLayout.partitionPrefix(TP, log.key().topicId());
        assertThat(bucket.snapshot().keySet().stream().filter(k -> k.startsWith(prefix) && k.endsWith(".log")))
                .isNotEmpty();

        clock.advance(Duration.ofHours(2));
        pass(manager);

        assertThat(log.logStartOffset()).isEqualTo(log.localStartOffset());
        assertThat(bucket.snapshot().keySet().stream().filter(k -> k.startsWith(prefix) && k.endsWith(".log")))
                .isEmpty();
        PartitionManifest manifest = PartitionManifest.fromJson(
                bucket.bytes(RemoteLayout.partitionManifest(TP, log.key().topicId())).orElseThrow());
        assertThat(manifest.segments()).isEmpty();
        assertThat(manifest.logStartOffset()).isEqualTo(log.logStartOffset());
        assertThatThrownBy(() -> log.read(0, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    /** A topic tiered by a first manager, which then closed. */
    private record Tiered(UUID topicId, long remoteEnd) {
    }

    /**
     * A first manager on directory "a" appends {@link #BATCHES} batches to "orders", copies what it can and closes;
     * what it did not copy is forgotten from {@link #appended}.
     */
    private Tiered tieredThenClosed() {
        LogManager first = open("a");
        first.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog log = log(first);
        produce(log, BATCHES);
        pass(first);
        long remoteEnd = log.remoteEndOffset();
        first.close();
        managers.remove(first);
        appended.removeIf(a -> a.offset() >= remoteEnd);
        return new Tiered(log.key().topicId(), remoteEnd);
    }

    @Test
    void aBrokerWithAnEmptyDiskRestoresTopicsAndServesEveryTieredRecord() {
        long remoteEnd = tieredThenClosed().remoteEnd();

        LogManager second = open("b");

        PartitionLog restored = log(second);
        assertThat(second.topic("orders").orElseThrow().config().segmentBytes()).isEqualTo(8192);
        assertThat(restored.logStartOffset()).isZero();
        assertThat(restored.highWatermark()).isEqualTo(remoteEnd);
        assertReadsEverything(restored, 0);
        long ts = appended.get(appended.size() / 2).timestamp();
        assertThat(restored.offsetForTimestamp(ts)).map(t -> t.offset).contains(expectedOffsetFor(ts));
        assertThat(restored.append(batch().records(1).build()).firstOffset()).isEqualTo(remoteEnd);
    }

    @Test
    void aBrokerWithAnEmptyDiskRestoresASegmentUploadedBetweenItsListingAndItsManifestRead() {
        // Given a bucket whose newest segment's index object went up after the restoring broker listed the bucket,
        // and whose manifest, rewritten after that upload, is read after the listing (another broker uploads
        // while this one starts)
        Tiered tiered = tieredThenClosed();
        long remoteEnd = tiered.remoteEnd();
        long newest = PartitionManifest.fromJson(bucket.bytes(RemoteLayout.partitionManifest(TP, tiered.topicId()))
                .orElseThrow()).segments().stream().mapToLong(ManifestSegment::baseOffset).max().orElseThrow();
        String lateIndex = RemoteLayout.index(TP, tiered.topicId(), newest);

        // When a broker with an empty disk restores from a listing that does not show that index object yet
        LogManager second = LogManager.open(tempDir.resolve("b"), Map.of(), clock, QUIET, 2, Optional.of(
                new RemoteStorage(new ListingWithout(bucket, lateIndex), REMOTE, PrefixLease.exclusive())));
        managers.add(second);

        // Then it restores every segment the manifest lists, the late one too
        PartitionLog restored = log(second);
        assertThat(restored.highWatermark()).isEqualTo(remoteEnd);
        assertReadsEverything(restored, 0);
    }

    /** The bucket as a listing taken before {@code hidden} was written shows it; everything else as it is. */
    private static final class ListingWithout extends ForwardingObjectStore {
        private final String hidden;

        ListingWithout(ObjectStore bucket, String hidden) {
            super(bucket);
            this.hidden = hidden;
        }

        @Override
        public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
            return delegate.list(prefix, continuationToken, maxKeys).thenApply(page -> new ListPage(page.objects()
                    .stream().filter(object -> !object.key().equals(hidden)).toList(), page.nextToken()));
        }
    }

    /**
     * Produces and copies 40 batches, then produces 40 more while the bucket is down and runs a pass
     * (whose copies fail); leaves the bucket down and returns the end of the copied offsets.
     */
    private long copyThenProduceDuringOutage(LogManager manager, PartitionLog log) {
        produce(log, 40);
        pass(manager);
        log.deleteExpiredSegments();
        long copiedBefore = log.remoteEndOffset();
        assertThat(log.localStartOffset()).isPositive();
        bucket.setDown(true);
        produce(log, 40);
        pass(manager);
        return copiedBefore;
    }

    @Test
    void anOutageDelaysUploadsWithoutLosingDataAndRemoteReadsFailRetriably() {
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog log = log(manager);
        long copiedBefore = copyThenProduceDuringOutage(manager, log);
        log.deleteExpiredSegments();

        assertThat(log.remoteEndOffset()).isEqualTo(copiedBefore);
        RemoteLogManager.PartitionSizes lagging = manager.remote().orElseThrow().sizes(log);
        assertThat(lagging.copyLagSegments()).isPositive();
        assertThat(lagging.copyLagBytes()).isPositive();
        assertThat(log.localStartOffset()).as("segments not in the bucket stay local").isEqualTo(copiedBefore);
        assertThat(manager.remote().orElseThrow().metrics().copyErrors()).isPositive();
        assertThatThrownBy(() -> log.read(0, 1000, true)).isInstanceOf(KafkaStorageException.class);

        bucket.setDown(false);
        clock.advance(Duration.ofSeconds(1));
        pass(manager);
        log.deleteExpiredSegments();

        assertThat(log.remoteEndOffset()).isGreaterThan(copiedBefore);
        assertThat(manager.remote().orElseThrow().sizes(log).copyLagSegments()).isZero();
        assertThat(manager.remote().orElseThrow().sizes(log).remoteBytes()).isPositive();
        assertReadsEverything(log, 0);
    }

    @Test
    void readAheadSkipsANextSegmentWhoseCopyHasNotFinished() {
        // Given remote segments, and after them a segment whose copy started but failed (no object yet)
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog log = log(manager);
        long copiedEnd = copyThenProduceDuringOutage(manager, log);
        bucket.setDown(false);

        // When a fetch reads the last copied segment to its end
        log.read(copiedEnd - 1, 1 << 20, true);

        // Then read-ahead does not ask the bucket for the unfinished segment's object
        assertThat(bucket.missingGets).hasValue(0);
    }

    @Test
    void topicDeletionRemovesTheTopicsObjects() {
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, TIERED);
        manager.createTopic("other", 1, (short) 1, TIERED);
        produce(log(manager), 30);
        pass(manager);
        String prefix = RemoteLayout.topicPrefix("orders", log(manager).key().topicId());
        assertThat(bucket.snapshot().keySet()).anyMatch(k -> k.startsWith(prefix));

        manager.deleteTopic("orders");

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> bucket.snapshot().keySet().stream().noneMatch(k -> k.startsWith(prefix)));
        assertThat(bucket.snapshot().keySet()).anyMatch(k -> k.contains("/other-"));
    }

    @Test
    void aCleanShutdownLetsATopicDeletionFinishInTheBucket() {
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, TIERED);
        produce(log(manager), 30);
        pass(manager);
        String prefix = RemoteLayout.topicPrefix("orders", log(manager).key().topicId());
        bucket.setDeleteDelayMs(300);

        manager.deleteTopic("orders");
        manager.close();
        managers.remove(manager);

        assertThat(bucket.snapshot().keySet()).noneMatch(k -> k.startsWith(prefix));
    }

    @Test
    void topicsWithRemoteStorageDisabledStayLocal() {
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "8192", "remote.storage.enable", "false"));
        produce(log(manager), 30);
        pass(manager);

        assertThat(bucket.snapshot().keySet()).noneMatch(key -> key.startsWith(RemoteLayout.TOPICS));
        assertThat(log(manager).tiered()).isFalse();
    }

    @Test
    void theInspectorFindsMissingCorruptAndOrphanObjects() {
        LogManager manager = open("a");
        PartitionLog log = tieredOrders(manager, 40);
        pass(manager);
        BucketInspector inspector = new BucketInspector(bucket);

        BucketInspector.Inventory inventory = inspector.inventory();
        assertThat(inventory.topics()).singleElement().satisfies(t -> {
            assertThat(t.topic().name()).isEqualTo("orders");
            assertThat(t.partitions().get(0).segments()).hasSize(log.sealedSegments().size());
        });
        assertThat(inspector.verify(inventory, true)).isEmpty();

        List<Long> bases = log.sealedSegments().stream().map(s -> s.baseOffset()).toList();
        String first = RemoteLayout.segment(TP, log.key().topicId(), bases.get(0));
        byte[] corrupt = bucket.bytes(first).orElseThrow();
        corrupt[corrupt.length / 2] ^= 1;
        bucket.put(first, corrupt, io.strata.objectstore.PutCondition.NONE).join();
        bucket.deleteAll(List.of(RemoteLayout.index(TP, log.key().topicId(), bases.get(1)))).join();
        bucket.put("topics/stray.bin", new byte[] {1}, io.strata.objectstore.PutCondition.NONE).join();

        assertThat(inspector.verify(inspector.inventory(), true)).extracting(BucketInspector.Problem::kind)
                .containsExactlyInAnyOrder("CHECKSUM", "MISSING", "ORPHAN");
        assertThat(inspector.verify(inspector.inventory(), false)).extracting(BucketInspector.Problem::kind)
                .containsExactlyInAnyOrder("MISSING", "ORPHAN");
    }

    @Test
    void offsetForTimestampIsExactOverRemoteSegmentsWithOutOfOrderTimestamps() {
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, TIERED);
        PartitionLog log = log(manager);
        java.util.Random random = new java.util.Random(42);
        long base = clock.millis() - 100_000;
        for (int b = 0; b < 80; b++) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(4096);
            try (var builder = MemoryRecords.builder(buffer, org.apache.kafka.common.compress.Compression.NONE,
                    org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0L)) {
                for (int r = 0; r < 8; r++) {
                    builder.append(base + random.nextInt(100_000), null, new byte[100]);
                }
                MemoryRecords records = builder.build();
                log.append(records);
                for (RecordBatch batch : records.batches()) {
                    for (Record record : batch) {
                        appended.add(new Appended(record.offset(), record.timestamp(), record.value()));
                    }
                }
            }
        }
        pass(manager);
        log.deleteExpiredSegments();
        assertThat(log.localStartOffset()).isGreaterThan(appended.size() / 2);
        long getsBefore = bucket.rangedGets.get() + bucket.gets.get();

        for (int i = 0; i < 300; i++) {
            long target = base - 10 + random.nextInt(100_020);
            long expected = expectedOffsetFor(target);
            Optional<TimestampAndOffset> found = log.offsetForTimestamp(target);
            if (expected < 0) {
                assertThat(found).isEmpty();
            } else {
                assertThat(found).as("timestamp %d", target).map(t -> t.offset).contains(expected);
                assertThat(found.get().timestamp).isEqualTo(appended.get((int) expected).timestamp());
            }
        }
        long remoteAnswers = appended.stream().filter(a -> a.offset() < log.localStartOffset()).count();
        assertThat(remoteAnswers).isPositive();
        assertThat(bucket.rangedGets.get() + bucket.gets.get()).isEqualTo(getsBefore);
    }

    @Test
    void producerIdBlockIsReservedInTheBucketBeforeAnyIdOfItIsHandedOut() {
        // Given a tiering broker whose bucket is down
        LogManager manager = open("a");
        bucket.setDown(true);

        // When a producer id is asked for, Then the answer is a retriable error, and no id is handed out
        assertThatThrownBy(manager::allocateProducerId)
                .isInstanceOf(org.apache.kafka.common.errors.CoordinatorLoadInProgressException.class);

        // When the bucket is back, Then ids are handed out, below the end the bucket now records
        bucket.setDown(false);
        long id = manager.allocateProducerId();
        ClusterManifest manifest = ClusterManifest.fromJson(RemoteLayout.CLUSTER_MANIFEST,
                bucket.bytes(RemoteLayout.CLUSTER_MANIFEST).orElseThrow());
        assertThat(manifest.clusterId()).isEqualTo(manager.clusterId());
        assertThat(id).isLessThan(manifest.producerIdBlockEnd());
    }

    @Test
    void restoreIntoADataDirectoryOfAnotherClusterIsRefusedBeforeAnythingIsWritten() throws Exception {
        // Given a bucket holding a topic of cluster A
        LogManager a = open("a");
        a.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "8192"));
        produce(log(a), 30);
        pass(a);
        a.close();
        managers.remove(a);

        // And a data directory without a catalog whose meta.properties names cluster B
        java.nio.file.Path b = java.nio.file.Files.createDirectories(tempDir.resolve("b"));
        java.nio.file.Files.writeString(b.resolve("meta.properties"), "version=1\ncluster.id=OtherClusterId\n");

        // When a broker starts on it, Then it refuses, naming both clusters, and restored nothing
        assertThatThrownBy(() -> open("b")).hasMessageContaining("OtherClusterId").hasMessageContaining(a.clusterId());
        try (var index = io.strata.index.RocksDbIndexStore.open(b.resolve("rocksdb"))) {
            assertThat(index.topics().list()).isEmpty();
        }
    }

    @Test
    void deletionIntentOutlivesAFailingBucketAndARestartAndIsForgottenOnceTheObjectsAreGone() {
        // Given a tiered topic in the bucket
        LogManager manager = open("a");
        manager.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "8192"));
        produce(log(manager), 30);
        pass(manager);
        var topic = manager.topic("orders").orElseThrow().record();
        String prefix = RemoteLayout.topicPrefix("orders", topic.topicId());
        assertThat(bucket.snapshot().keySet()).anyMatch(k -> k.startsWith(prefix));

        // When it is deleted while the bucket is down, and the broker restarts before the bucket is back
        bucket.setDown(true);
        manager.deleteTopic("orders");
        assertThat(manager.indexStore().topicDeletions().list()).extracting(t -> t.topicId())
                .containsExactly(topic.topicId());
        manager.close();
        managers.remove(manager);
        bucket.setDown(false);
        LogManager restarted = open("a");

        // Then the deletion resumes, the objects go, and the intent is forgotten
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(bucket.snapshot().keySet()).noneMatch(k -> k.startsWith(prefix));
            assertThat(restarted.indexStore().topicDeletions().list()).isEmpty();
        });
    }

    @Test
    void oversizedTopicManifestIsRefusedBeforeItIsDownloaded() {
        // Given a bucket holding a topic manifest larger than any real one
        String key = "topics/big-" + org.apache.kafka.common.Uuid.randomUuid() + "/topic.json";
        bucket.put(key, new byte[(int) BucketObjectChecks.MAX_MANIFEST_BYTES + 1], io.strata.objectstore.PutCondition.NONE)
                .join();
        long getsBefore = bucket.gets.get();

        // When a broker restores from it, Then it refuses, naming the object, without downloading it
        assertThatThrownBy(() -> open("b")).hasMessageContaining(key).hasMessageContaining("bytes, more than");
        assertThat(bucket.gets.get()).isEqualTo(getsBefore);
    }

    @Test
    void partitionManifestWithANegativeLogStartOffsetIsRefusedNamingIt() {
        // Given a tiered topic whose partition manifest in the bucket was tampered with
        LogManager a = open("a");
        a.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "8192"));
        produce(log(a), 30);
        pass(a);
        String key = RemoteLayout.partitionManifest(TP, log(a).key().topicId());
        a.close();
        managers.remove(a);
        String json = new String(bucket.bytes(key).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8)
                .replaceFirst("\"logStartOffset\" ?: ?\\d+", "\"logStartOffset\" : -5");
        bucket.put(key, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), io.strata.objectstore.PutCondition.NONE)
                .join();

        // When a broker restores from it, Then it refuses, naming the manifest and the offset
        assertThatThrownBy(() -> open("b")).hasMessageContaining(key).hasMessageContaining("log start offset -5");
    }
}
