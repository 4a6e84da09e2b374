package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RocksDbIndexStoreTest extends IndexStoreTestSupport {

    private static final long TWO_32 = 1L << 32;

    private static SegmentRecord segment(long baseOffset) {
        return new SegmentRecord(baseOffset, baseOffset + 10, 100, 50, baseOffset + 9, 1, SegmentState.SEALED);
    }

    private static ProducerStateEntry producer(long id) {
        return new ProducerStateEntry(id, (short) 2, 50, List.of(new BatchMetadata(0, 9, 0, 9, 50)));
    }

    private static TopicRecord topic() {
        return new TopicRecord("orders", TOPIC, 2, (short) 1, Map.of("retention.ms", "1000"), 7);
    }

    /** Writes one entry (two for the indexes) of every family for {@code partition}. */
    private void writeEveryFamily(IndexBatch batch, PartitionKey partition) {
        store.segments().put(batch, partition, segment(0));
        store.segments().put(batch, partition, segment(TWO_32));
        store.offsetIndex().put(batch, partition, 0, 0, 0);
        store.offsetIndex().put(batch, partition, TWO_32 + 5, TWO_32, 77);
        store.timeIndex().put(batch, partition, Long.MIN_VALUE, 0);
        store.timeIndex().put(batch, partition, Long.MAX_VALUE, TWO_32 + 5);
        store.producerStates().put(batch, partition, producer(3));
        store.partitionStates().put(batch, partition, new PartitionState(0, TWO_32));
    }

    private void assertEveryFamilyHolds(PartitionKey partition) {
        assertThat(store.segments().list(partition)).containsExactly(segment(0), segment(TWO_32));
        assertThat(store.offsetIndex().ceiling(partition, 0)).contains(new OffsetPosition(0, 0, 0));
        assertThat(store.offsetIndex().floor(partition, Long.MAX_VALUE))
                .contains(new OffsetPosition(TWO_32 + 5, TWO_32, 77));
        assertThat(store.timeIndex().firstAtOrAfter(partition, Long.MIN_VALUE)).contains(new TimeEntry(Long.MIN_VALUE, 0));
        assertThat(store.timeIndex().last(partition)).contains(new TimeEntry(Long.MAX_VALUE, TWO_32 + 5));
        assertThat(store.producerStates().list(partition)).containsExactly(producer(3));
        assertThat(store.partitionStates().get(partition)).contains(new PartitionState(0, TWO_32));
    }

    private void assertEveryFamilyEmpty(PartitionKey partition) {
        assertThat(store.segments().list(partition)).isEmpty();
        assertThat(store.offsetIndex().ceiling(partition, 0)).isEmpty();
        assertThat(store.timeIndex().firstAtOrAfter(partition, Long.MIN_VALUE)).isEmpty();
        assertThat(store.producerStates().list(partition)).isEmpty();
        assertThat(store.partitionStates().get(partition)).isEmpty();
    }

    // ---- open / close ----

    @Test
    void openCreatesMissingParentDirectories() {
        Path nested = tempDir.resolve("a").resolve("b").resolve("index");

        try (RocksDbIndexStore nestedStore = RocksDbIndexStore.open(nested)) {
            assertThat(nestedStore.directory()).isEqualTo(nested);
            assertThat(nested).isDirectory();
        }
    }

    @Test
    void openOfADirectoryAlreadyOpenFailsWithIndexStoreException() {
        assertThatThrownBy(() -> RocksDbIndexStore.open(dbDir()))
                .isInstanceOf(IndexStoreException.class)
                .hasMessageContaining(dbDir().toString());
    }

    @Test
    void failedSecondOpenLeavesTheFirstStoreUsable() {
        assertThatThrownBy(() -> RocksDbIndexStore.open(dbDir())).isInstanceOf(IndexStoreException.class);

        store.meta().putString("cluster.id", "still-works");

        assertThat(store.meta().getString("cluster.id")).contains("still-works");
    }

    @Test
    void openOnARegularFileFailsWithUncheckedIOException() throws Exception {
        Path file = Files.writeString(tempDir.resolve("not-a-directory"), "x");

        assertThatThrownBy(() -> RocksDbIndexStore.open(file)).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void closingTwiceIsHarmless() {
        store.close();

        assertThatCode(store::close).doesNotThrowAnyException();
    }

    @Test
    void storeCanBeReopenedAfterClose() {
        store.close();

        store = RocksDbIndexStore.open(dbDir());

        assertThat(store.meta().allocateProducerId()).isZero();
    }

    // ---- durability ----

    @Test
    void unsyncedCommitSurvivesCloseAndReopenInEveryFamily() {
        write(batch -> {
            writeEveryFamily(batch, P0);
            store.topics().put(batch, topic());
        });

        reopen();

        assertEveryFamilyHolds(P0);
        assertThat(store.topics().get("orders")).contains(topic());
    }

    @Test
    void syncedCommitIsVisibleInEveryFamily() {
        try (IndexBatch batch = store.newBatch()) {
            writeEveryFamily(batch, P0);
            batch.commit(true);
        }

        assertEveryFamilyHolds(P0);
    }

    @Test
    void rangeDeletesSurviveCloseAndReopen() {
        write(batch -> writeEveryFamily(batch, P0));
        store.deletePartition(P0, false);

        reopen();

        assertEveryFamilyEmpty(P0);
    }

    // ---- deletePartition ----

    @Test
    void deletePartitionRemovesThePartitionFromEveryFamily() {
        write(batch -> writeEveryFamily(batch, P0));

        store.deletePartition(P0, false);

        assertEveryFamilyEmpty(P0);
    }

    @Test
    void deletePartitionLeavesOtherPartitionsOfTheSameTopicIntact() {
        write(batch -> {
            writeEveryFamily(batch, P0);
            writeEveryFamily(batch, P1);
        });

        store.deletePartition(P0, false);

        assertEveryFamilyHolds(P1);
    }

    @Test
    void deletePartitionLeavesTheSamePartitionOfAnotherTopicIntact() {
        PartitionKey otherTopicP0 = new PartitionKey(OTHER_TOPIC, 0);
        write(batch -> {
            writeEveryFamily(batch, P0);
            writeEveryFamily(batch, otherTopicP0);
        });

        store.deletePartition(P0, true);

        assertEveryFamilyHolds(otherTopicP0);
    }

    @Test
    void deletePartitionLeavesTopicsAndMetaIntact() {
        write(batch -> {
            writeEveryFamily(batch, P0);
            store.topics().put(batch, topic());
        });
        store.meta().putString("cluster.id", "c1");

        store.deletePartition(P0, false);

        assertThat(store.topics().list()).containsExactly(topic());
        assertThat(store.meta().getString("cluster.id")).contains("c1");
    }

    @Test
    void deletePartitionOfTheAllOnesTopicsMaxPartitionRemovesOnlyIt() {
        PartitionKey last = new PartitionKey(new UUID(-1L, -1L), Integer.MAX_VALUE);
        PartitionKey beforeLast = new PartitionKey(new UUID(-1L, -1L), Integer.MAX_VALUE - 1);
        write(batch -> {
            writeEveryFamily(batch, last);
            writeEveryFamily(batch, beforeLast);
        });

        store.deletePartition(last, false);

        assertEveryFamilyEmpty(last);
        assertEveryFamilyHolds(beforeLast);
    }

    // ---- IndexBatch ----

    @Test
    void emptyBatchCommitIsANoOp() {
        write(batch -> writeEveryFamily(batch, P0));
        long sequenceBefore = store.db().getLatestSequenceNumber();

        try (IndexBatch batch = store.newBatch()) {
            batch.commit(false);
            assertThat(batch.size()).isZero();
        }

        assertThat(store.db().getLatestSequenceNumber()).isEqualTo(sequenceBefore);
        assertEveryFamilyHolds(P0);
    }

    @Test
    void emptyBatchCommitWithSyncSucceedsAndChangesNoData() {
        write(batch -> writeEveryFamily(batch, P0));

        try (IndexBatch batch = store.newBatch()) {
            assertThatCode(() -> batch.commit(true)).doesNotThrowAnyException();
        }

        assertEveryFamilyHolds(P0);
    }

    @Test
    void batchClosedWithoutCommitWritesNothing() {
        try (IndexBatch batch = store.newBatch()) {
            writeEveryFamily(batch, P0);
        }

        assertEveryFamilyEmpty(P0);
    }

    @Test
    void batchSizeCountsPutsDeletesAndRangeDeletes() {
        try (IndexBatch batch = store.newBatch()) {
            store.offsetIndex().put(batch, P0, 1, 0, 0);
            store.segments().delete(batch, P0, 0);
            store.offsetIndex().deleteFrom(batch, P0, 0);

            assertThat(batch.size()).isEqualTo(3);
        }
    }

    @Test
    void commitEmptiesTheBatchSoASecondCommitIsANoOp() {
        try (IndexBatch batch = store.newBatch()) {
            store.offsetIndex().put(batch, P0, 1, 0, 0);
            batch.commit(false);
            long sequenceAfterFirst = store.db().getLatestSequenceNumber();

            batch.commit(false);

            assertThat(batch.size()).isZero();
            assertThat(store.db().getLatestSequenceNumber()).isEqualTo(sequenceAfterFirst);
        }
    }

    @Test
    void batchCanBeReusedAfterCommit() {
        try (IndexBatch batch = store.newBatch()) {
            store.offsetIndex().put(batch, P0, 1, 0, 0);
            batch.commit(false);

            store.offsetIndex().put(batch, P0, 2, 0, 5);
            batch.commit(false);
        }

        assertThat(store.offsetIndex().floor(P0, 2)).contains(new OffsetPosition(2, 0, 5));
    }

    @Test
    void writesOfOneBatchBecomeVisibleTogether() {
        try (IndexBatch batch = store.newBatch()) {
            writeEveryFamily(batch, P0);
            store.topics().put(batch, topic());

            assertEveryFamilyEmpty(P0);
            assertThat(store.topics().list()).isEmpty();

            batch.commit(false);
        }

        assertEveryFamilyHolds(P0);
        assertThat(store.topics().list()).containsExactly(topic());
    }
}
