package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strata.index.OffsetPosition;
import io.strata.index.TimeEntry;
import io.strata.tiering.config.LogConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.junit.jupiter.api.Test;

/**
 * The index entries of appends wait in memory and reach RocksDB with the next checkpoint, roll or close (or
 * once too many wait): an append commits no RocksDB write, lookups see the entries in memory, and neither a
 * crash nor an undone append changes what the index answers.
 */
class PendingIndexEntriesTest extends LogHarnessTest {

    /** Every batch indexed, so that every append has entries to keep. */
    private static final LogConfig EVERY_BATCH_INDEXED = config("index.interval.bytes", "0");

    /** RocksDB write batches committed (synced or not) since the test last reset it. */
    final AtomicInteger rocksDbWrites = rocksDb.applied;
    /** While set, every RocksDB write fails as RocksDB fails it. */
    final AtomicBoolean rocksDbFails = rocksDb.failing;

    /** A batch on disk: where it is, and the greatest timestamp of the log up to it. */
    private record OnDisk(long segment, long baseOffset, long lastOffset, int position, long runningMax) {
    }

    private List<OnDisk> batchesOnDisk(PartitionLog log) throws IOException {
        List<OnDisk> all = new ArrayList<>();
        long runningMax = -1;
        for (var segment : log.segmentRecords()) {
            try (FileRecords records = FileRecords.open(harness.segmentFile(segment.baseOffset()).toFile(), false)) {
                for (FileChannelRecordBatch batch : records.batches()) {
                    runningMax = Math.max(runningMax, batch.maxTimestamp());
                    all.add(new OnDisk(segment.baseOffset(), batch.baseOffset(), batch.lastOffset(), batch.position(),
                            runningMax));
                }
            }
        }
        return all;
    }

    /** Appends {@code count} batches of 2 records, timestamps rising by 10 ms a batch from {@code base}. */
    private static void fill(PartitionLog log, int count, long base) {
        for (int i = 0; i < count; i++) {
            log.append(batch().records(2).valueSize(40).timestamp(base + 10L * i).build());
        }
    }

    /** What the index answers for every offset below the end and for timestamps around every batch's. */
    private record Answers(List<Optional<OffsetPosition>> offsets, List<Optional<TimeEntry>> times) {
    }

    private Answers answers(PartitionLog log, long base) {
        List<Optional<OffsetPosition>> offsets = new ArrayList<>();
        for (long offset = 0; offset <= log.logEndOffset(); offset++) {
            offsets.add(log.offsetIndexEntryAtOrBelow(offset));
        }
        List<Optional<TimeEntry>> times = new ArrayList<>();
        for (long timestamp = base - 5; timestamp <= harness.clock.millis() + 100_000; timestamp += 5) {
            times.add(log.timeIndexEntryBefore(timestamp));
        }
        return new Answers(offsets, times);
    }

    @Test
    void anAppendCommitsNoRocksDbWrite() {
        // Given a log that indexes every batch
        PartitionLog log = harness.open(EVERY_BATCH_INDEXED);
        rocksDbWrites.set(0);

        // When 200 batches are appended
        fill(log, 200, harness.clock.millis());

        // Then RocksDB was not written at all
        assertThat(rocksDbWrites).hasValue(0);
    }

    @Test
    void lookupsFindTheEntriesOfAppendsNotWrittenYet() throws IOException {
        // Given a log with several segments, batches appended to its active segment and not written to RocksDB
        PartitionLog log = harness.open(config("index.interval.bytes", "0", "segment.bytes", "2048"));
        long base = harness.clock.millis();
        fill(log, 60, base);
        List<OnDisk> batches = batchesOnDisk(log);
        OnDisk last = batches.get(batches.size() - 1);
        assertThat(log.segmentRecords()).hasSizeGreaterThan(2);
        assertThat(harness.store.offsetIndex().floor(harness.key, last.baseOffset()).map(OffsetPosition::offset))
                .as("the newest entry is not in RocksDB").isNotEqualTo(Optional.of(last.baseOffset()));

        // Then every batch, in a sealed or in the active segment, has its offset entry and time entry
        for (OnDisk batch : batches) {
            assertThat(log.offsetIndexEntryAtOrBelow(batch.lastOffset()))
                    .contains(new OffsetPosition(batch.baseOffset(), batch.segment(), batch.position()));
            assertThat(log.timeIndexEntryBefore(batch.runningMax() + 1))
                    .contains(new TimeEntry(batch.runningMax(), batch.lastOffset()));
            assertThat(log.offsetForTimestamp(batch.runningMax() - 1)).map(found -> found.offset) // its first record
                    .contains(batch.baseOffset());
            assertThat(log.read(batch.lastOffset(), 1, true).records().batches().iterator().next().baseOffset())
                    .isEqualTo(batch.baseOffset());
        }
    }

    @Test
    void pendingEntriesAreWrittenInOneBatchOnceTheBoundIsReached() {
        // Given a log that indexes every batch
        PartitionLog log = harness.open(EVERY_BATCH_INDEXED);
        rocksDbWrites.set(0);

        // When one batch fewer than the bound is appended, then one more
        fill(log, SegmentIndexer.MAX_PENDING_ENTRIES - 1, harness.clock.millis());
        assertThat(rocksDbWrites).hasValue(0);
        fill(log, 1, harness.clock.millis());

        // Then they went to RocksDB in one write
        assertThat(rocksDbWrites).hasValue(1);
        assertThat(harness.store.offsetIndex().floor(harness.key, Long.MAX_VALUE).map(OffsetPosition::offset))
                .contains(log.logEndOffset() - 2);
    }

    @Test
    void aFlushWritesThePendingEntriesBeforeItsCheckpointMovesTheRecoveryPoint() {
        // Given appended batches whose entries wait in memory
        PartitionLog log = harness.open(EVERY_BATCH_INDEXED);
        fill(log, 30, harness.clock.millis());

        // When the log is flushed (the recovery point moves to its end)
        log.flush();

        // Then RocksDB holds every entry below the recovery point: recovery will not rebuild them
        assertThat(harness.partitionState().recoveryPoint()).isEqualTo(60);
        for (long offset = 0; offset < 60; offset += 2) {
            assertThat(harness.store.offsetIndex().floor(harness.key, offset).map(OffsetPosition::offset))
                    .contains(offset);
        }
        assertThat(harness.store.timeIndex().last(harness.key)).map(TimeEntry::offset).contains(59L);
    }

    @Test
    void aCleanCloseWritesThePendingEntries() {
        // Given appended batches whose entries wait in memory, over several segments
        PartitionLog log = harness.open(config("index.interval.bytes", "0", "segment.bytes", "2048"));
        long base = harness.clock.millis();
        fill(log, 50, base);
        Answers before = answers(log, base);

        // When the log is closed cleanly and opened again (the catalog is trusted, nothing is re-indexed)
        PartitionLog reopened = harness.reopenClean(log);

        // Then the index answers as before
        assertThat(answers(reopened, base)).isEqualTo(before);
    }

    @Test
    void afterACrashRecoveryRebuildsTheEntriesThatWereOnlyInMemory() {
        // Given a log flushed part of the way (recovery point mid-log), then more appends, all over several segments
        PartitionLog log = harness.open(config("index.interval.bytes", "100", "segment.bytes", "4096"));
        long base = harness.clock.millis();
        fill(log, 70, base);
        log.flush();
        fill(log, 45, base + 700);
        Answers before = answers(log, base);

        // When the broker crashes (the entries in memory are lost) and the log is recovered
        PartitionLog recovered = harness.crashAndRecover(log);

        // Then the index answers exactly as before
        assertThat(recovered.logEndOffset()).isEqualTo(log.logEndOffset());
        assertThat(answers(recovered, base)).isEqualTo(before);
    }

    @Test
    void anUndoneAppendDropsItsPendingEntries() {
        // Given a log that indexes every batch, with one entry fewer than the bound waiting in memory
        PartitionLog log = harness.open(EVERY_BATCH_INDEXED);
        long base = harness.clock.millis();
        fill(log, SegmentIndexer.MAX_PENDING_ENTRIES - 1, base);
        long end = log.logEndOffset();
        Answers before = answers(log, base);

        // When the next append fills the bound and writing the entries to RocksDB fails
        rocksDbFails.set(true);
        Throwable failure = catchThrowable(() -> log.append(batch().records(2).timestamp(base + 30_000).build()));
        rocksDbFails.set(false);

        // Then the append is undone, its entry with it, and the others still answer
        assertThat(failure).isInstanceOf(KafkaStorageException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.offsetIndexEntryAtOrBelow(end)).map(OffsetPosition::offset).contains(end - 2);
        assertThat(log.timeIndexEntryBefore(Long.MAX_VALUE)).map(TimeEntry::offset).contains(end - 1);
        assertThat(answers(log, base)).isEqualTo(before);
        // And after a restart the rebuilt index answers the same
        assertThat(answers(harness.crashAndRecover(log), base)).isEqualTo(before);
    }

    @Test
    void movingTheLogStartIntoTheActiveSegmentDeletesPendingEntriesBelowItOnly() {
        // Given batches appended to the active segment, their entries in memory
        PartitionLog log = harness.open(EVERY_BATCH_INDEXED);
        long base = harness.clock.millis();
        fill(log, 20, base);

        // When DeleteRecords moves the log start to offset 21, inside the active segment
        log.advanceLogStartOffset(21);

        // Then the entries below it are gone, those above it are kept, in memory and in RocksDB alike
        assertThat(log.offsetIndexEntryAtOrBelow(21)).isEmpty();
        assertThat(log.offsetIndexEntryAtOrBelow(22)).map(OffsetPosition::offset).contains(22L);
        assertThat(log.timeIndexEntryBefore(base + 10 * 10 + 1)).isEmpty();
        assertThat(log.timeIndexEntryBefore(Long.MAX_VALUE)).map(TimeEntry::offset).contains(39L);
        assertThat(harness.store.timeIndex().last(harness.key)).map(TimeEntry::offset).contains(39L);
    }
}
