package io.strata.tiering.remote;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.objectstore.ForwardingObjectStore;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PreconditionFailedException;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.LogManager;
import io.strata.tiering.LogManagerSchedule;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.testing.InMemoryObjectStore;
import io.strata.tiering.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer that finds another writer's work under its prefix stops writing instead of overwriting it:
 * a manifest write answered 412, a segment object it did not write. Against an in-memory bucket.
 */
class WriterFencingTest {

    private static final LogManagerSchedule QUIET = new LogManagerSchedule(3_600_000, 3_600_000, 3_600_000);
    private static final RemoteConfig REMOTE = new RemoteConfig(3_600_000, 2, Long.MAX_VALUE, 10, 100, 4096,
            1 << 20, RemoteConfig.DEFAULT_READ_AHEAD_CHUNKS, 3_600_000);
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final Map<String, String> TIERED = Map.of("segment.bytes", "8192", "retention.ms", "-1");
    private static final byte[] OTHER_WRITERS_BYTES = "another broker's object".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tempDir;
    final MutableClock clock = new MutableClock();
    final InMemoryObjectStore bucket = new InMemoryObjectStore();
    final List<LogManager> managers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        managers.forEach(LogManager::close);
    }

    private LogManager open(ObjectStore store, PrefixLease lease) {
        LogManager manager = LogManager.open(tempDir.resolve("data"), Map.of(), clock, QUIET, 2,
                Optional.of(new RemoteStorage(store, REMOTE, lease)));
        managers.add(manager);
        return manager;
    }

    /** Creates the tiered topic "orders" and returns its partition. */
    private PartitionLog orders(LogManager manager) {
        manager.createTopic("orders", 1, (short) 1, TIERED);
        return manager.log(TP).orElseThrow();
    }

    private static void produce(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            log.append(batch().records(10).valueSize(100).build());
        }
    }

    /** Syncs every partition (only synced segments upload) and runs one uploader pass. */
    private static void pass(LogManager manager) {
        manager.topics().forEach(topic -> topic.partitions().forEach(PartitionLog::flush));
        manager.remote().orElseThrow().runPassAndWait();
    }

    @Test
    void aManifestWriteAnsweredWith412FencesTheWriterAndNeverOverwrites() {
        // Given a broker whose partition manifest is in the bucket
        PrefixLease lease = PrefixLease.exclusive();
        LogManager manager = open(bucket, lease);
        PartitionLog log = orders(manager);
        produce(log, 30);
        pass(manager);
        String manifest = RemoteLayout.partitionManifest(TP, log.key().topicId());
        assertThat(bucket.bytes(manifest)).isPresent();

        // When another writer replaces it, and this broker has new segments to list
        bucket.put(manifest, OTHER_WRITERS_BYTES, PutCondition.NONE).join();
        produce(log, 30);
        pass(manager);

        // Then the other writer's manifest stays, and this broker is fenced
        assertThat(bucket.bytes(manifest)).hasValue(OTHER_WRITERS_BYTES);
        assertThat(lease.fencedReason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains(manifest, "changed by another writer"));
        assertThat(lease.writable()).isFalse();

        // And it writes nothing more to the bucket: no upload, no manifest, no delete
        Map<String, byte[]> before = bucket.snapshot();
        long puts = bucket.puts.get();
        produce(log, 30);
        pass(manager);
        manager.remote().orElseThrow().groupOffsets().markChanged("some-group");
        manager.remote().orElseThrow().groupOffsets().sync().join();
        assertThat(bucket.puts.get()).isEqualTo(puts);
        assertThat(bucket.snapshot()).containsOnlyKeys(before.keySet().toArray(String[]::new));
        assertThat(bucket.bytes(manifest)).hasValue(OTHER_WRITERS_BYTES);
    }

    @Test
    void aManifestOfANewerWriterGenerationFencesTheWriterBeforeItWrites() {
        // Given a manifest in the bucket written by generation 5
        PrefixLease lease = PrefixLease.exclusive();
        LogManager manager = open(bucket, lease);
        PartitionLog log = orders(manager);
        String manifest = RemoteLayout.partitionManifest(TP, log.key().topicId());
        byte[] newer = new PartitionManifest(PartitionManifest.VERSION, "orders", RemoteLayout.kafkaId(log.key().topicId()),
                0, 0, 5, List.of()).toJson();
        bucket.put(manifest, newer, PutCondition.NONE).join();

        // When this broker (generation 0) uploads its first segments
        produce(log, 30);
        pass(manager);

        // Then it is fenced and the newer manifest stays
        assertThat(lease.fencedReason()).hasValueSatisfying(reason -> assertThat(reason).contains("generation 5"));
        assertThat(bucket.bytes(manifest)).hasValue(newer);
    }

    @Test
    void aSegmentObjectThatAnotherWriterPutUnderTheSameKeyIsNeverOverwritten() {
        // Given another writer's object where this broker's first segment goes
        PrefixLease lease = PrefixLease.exclusive();
        LogManager manager = open(bucket, lease);
        PartitionLog log = orders(manager);
        String segment = RemoteLayout.segment(TP, log.key().topicId(), 0);
        bucket.put(segment, OTHER_WRITERS_BYTES, PutCondition.NONE).join();

        // When the broker copies its sealed segments
        produce(log, 30);
        pass(manager);

        // Then the object stays as it was, no manifest lists it, and the broker is fenced
        assertThat(bucket.bytes(segment)).hasValue(OTHER_WRITERS_BYTES);
        assertThat(bucket.bytes(RemoteLayout.partitionManifest(TP, log.key().topicId()))).isEmpty();
        assertThat(lease.fencedReason()).hasValueSatisfying(reason -> assertThat(reason).contains(segment));
    }

    @Test
    void aWriteWhoseResponseWasLostAndWhoseRetryMetItselfIsNotAFence() {
        // Given a bucket that applies the first PUT of every object but answers its retry 412, as S3 answers a
        // conditional PUT retried after a lost response
        LostFirstResponseStore store = new LostFirstResponseStore(bucket);
        PrefixLease lease = PrefixLease.exclusive();
        LogManager manager = open(store, lease);
        PartitionLog log = orders(manager);

        // When segments are copied and listed twice
        produce(log, 30);
        pass(manager);
        produce(log, 30);
        pass(manager);

        // Then every copy counts as done and nobody is fenced
        assertThat(store.lostResponses.get()).isTrue();
        assertThat(lease.fencedReason()).isEmpty();
        PartitionManifest manifest = PartitionManifest.fromJson(
                bucket.bytes(RemoteLayout.partitionManifest(TP, log.key().topicId())).orElseThrow());
        assertThat(manifest.segments()).hasSize(log.sealedSegments().size());
        assertThat(log.remoteEndOffset()).isEqualTo(log.sealedSegments().get(log.sealedSegments().size() - 1)
                .nextOffset());
    }

    /** Applies each conditional PUT, then answers it as if the response was lost and the retry met it (412). */
    private static final class LostFirstResponseStore extends ForwardingObjectStore {
        final AtomicBoolean lostResponses = new AtomicBoolean();

        LostFirstResponseStore(ObjectStore store) {
            super(store);
        }

        private <T> CompletableFuture<T> retriedAfterLoss(CompletableFuture<ObjectInfo> write, String key) {
            return write.thenCompose(written -> {
                lostResponses.set(true);
                return CompletableFuture.failedFuture(new PreconditionFailedException(key, null));
            });
        }

        @Override
        public CompletableFuture<ObjectInfo> putFile(String key, Path file, PutCondition condition) {
            CompletableFuture<ObjectInfo> write = delegate.putFile(key, file, condition);
            return condition == PutCondition.NONE ? write : retriedAfterLoss(write, key);
        }

        @Override
        public CompletableFuture<ObjectInfo> put(String key, byte[] bytes, PutCondition condition) {
            CompletableFuture<ObjectInfo> write = delegate.put(key, bytes, condition);
            return condition == PutCondition.NONE ? write : retriedAfterLoss(write, key);
        }
    }
}
