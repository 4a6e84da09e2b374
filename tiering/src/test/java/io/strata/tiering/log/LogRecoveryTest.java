package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.index.IndexBatch;
import io.strata.index.OffsetPosition;
import io.strata.index.PartitionState;
import io.strata.index.SegmentRecord;
import io.strata.index.TimeEntry;
import io.strata.tiering.config.LogConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/** Crash recovery: a torn or corrupt tail is cut at the last valid batch and the indexes follow. */
class LogRecoveryTest extends LogHarnessTest {

    /** Every batch indexed, so that stale index entries past a truncation would show. */
    private static final LogConfig EVERY_BATCH_INDEXED = config("index.interval.bytes", "0");

    private record BatchAt(long baseOffset, long lastOffset, int position, int size, long maxTimestamp) {
    }

    /** Appends {@code count} batches of 3 records, batch {@code i} with timestamps from {@code base + 100 * i}. */
    private static void fill(PartitionLog log, int count, long base) {
        for (int i = 0; i < count; i++) {
            log.append(batch().records(3).timestamp(base + 100L * i).build());
        }
    }

    /** Opens the log with every batch indexed, appends {@code count} batches, crashes; the batches on disk. */
    private List<BatchAt> crashAfterAppending(int count) throws IOException {
        PartitionLog log = harness.open(EVERY_BATCH_INDEXED);
        fill(log, count, harness.clock.millis());
        harness.crash(log);
        return batchesIn(harness.segmentFile(0));
    }

    private static List<BatchAt> batchesIn(Path segment) throws IOException {
        List<BatchAt> batches = new ArrayList<>();
        try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
            for (FileChannelRecordBatch b : records.batches()) {
                batches.add(new BatchAt(b.baseOffset(), b.lastOffset(), b.position(), b.sizeInBytes(), b.maxTimestamp()));
            }
        }
        return batches;
    }

    private static void writeAt(Path file, long position, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            raf.write(bytes);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    /** The log after recovery holds exactly {@code kept}: end, file size, max timestamp, indexes. */
    private void assertRecoveredTo(PartitionLog log, Path segment, List<BatchAt> kept) throws IOException {
        BatchAt last = kept.get(kept.size() - 1);
        long end = last.lastOffset() + 1;
        assertThat(log.highWatermark()).isEqualTo(end);
        assertThat(Files.size(segment)).isEqualTo(last.position() + last.size());
        assertThat(batchesIn(segment)).isEqualTo(kept);
        assertThat(harness.store.offsetIndex().ceiling(harness.key, end)).as("offset entries past the end").isEmpty();
        assertThat(harness.store.timeIndex().last(harness.key)).map(TimeEntry::offset).contains(last.lastOffset());
        long maxTimestamp = kept.stream().mapToLong(BatchAt::maxTimestamp).max().orElseThrow();
        assertThat(log.maxTimestampOffset()).map(t -> t.timestamp).contains(maxTimestamp);
        for (BatchAt batch : kept) {
            OffsetPosition entry = harness.store.offsetIndex().floor(harness.key, batch.baseOffset()).orElseThrow();
            assertThat(entry.position()).isEqualTo(batch.position());
        }
        assertThat(log.append(batch().build()).firstOffset()).as("appends continue at the end").isEqualTo(end);
    }

    @Test
    void truncatedLastBatchIsCutOff() throws IOException {
        List<BatchAt> batches = crashAfterAppending(6);
        Path segment = harness.segmentFile(0);
        BatchAt lastBatch = batches.get(5);
        truncate(segment, lastBatch.position() + lastBatch.size() - 7);

        PartitionLog recovered = harness.open(false);

        assertRecoveredTo(recovered, segment, batches.subList(0, 5));
    }

    @Test
    void garbageAfterTheLastBatchIsCutOff() throws IOException {
        List<BatchAt> batches = crashAfterAppending(4);
        Path segment = harness.segmentFile(0);
        writeAt(segment, Files.size(segment), "this is not a record batch, it is garbage".getBytes());

        PartitionLog recovered = harness.open(false);

        assertRecoveredTo(recovered, segment, batches);
    }

    @Test
    void badCrcInTheMiddleOfTheActiveSegmentCutsTheLogThere() throws IOException {
        List<BatchAt> batches = crashAfterAppending(8);
        Path segment = harness.segmentFile(0);
        BatchAt damaged = batches.get(3);
        writeAt(segment, damaged.position() + damaged.size() - 2, new byte[] {0x13, 0x37});

        PartitionLog recovered = harness.open(false);

        assertRecoveredTo(recovered, segment, batches.subList(0, 3));
    }

    @Test
    void zeroFilledTailLikeAPreallocatedFileIsCutOff() throws IOException {
        List<BatchAt> batches = crashAfterAppending(5);
        Path segment = harness.segmentFile(0);
        writeAt(segment, Files.size(segment), new byte[64 * 1024]);

        PartitionLog recovered = harness.open(false);

        assertRecoveredTo(recovered, segment, batches);
    }

    @Test
    void corruptionInAnUncheckpointedSealedSegmentDeletesTheSegmentsAfterIt() throws IOException {
        harness.open(config("segment.bytes", "1024", "index.interval.bytes", "0")).close();
        PartitionLog log = harness.open(true);
        fill(log, 20, harness.clock.millis());
        List<SegmentRecord> segments = log.segmentRecords();
        assertThat(segments).hasSizeGreaterThan(2);
        harness.crash(log);
        // The background checkpoints after each roll may have run; put the recovery point back to 0 so
        // that every segment is re-read, as after a crash right after the rolls.
        try (IndexBatch writes = harness.store.newBatch()) {
            harness.store.partitionStates().put(writes, harness.key, new PartitionState(0, 0));
            writes.commit(true);
        }
        Path first = harness.segmentFile(0);
        List<BatchAt> batches = batchesIn(first);
        writeAt(first, batches.get(2).position() + 30, new byte[] {1, 2, 3, 4});

        PartitionLog recovered = harness.open(false);

        assertThat(recovered.segmentRecords()).extracting(SegmentRecord::baseOffset).containsExactly(0L);
        for (SegmentRecord later : segments.subList(1, segments.size())) {
            assertThat(harness.segmentFile(later.baseOffset())).doesNotExist();
        }
        assertRecoveredTo(recovered, first, batches.subList(0, 2));
    }

    @Test
    void afterACleanShutdownSegmentsAreNotReValidated() throws IOException {
        PartitionLog log = harness.open(EVERY_BATCH_INDEXED);
        fill(log, 5, harness.clock.millis());
        log.close();
        Path segment = harness.segmentFile(0);
        long size = Files.size(segment);
        BatchAt third = batchesIn(segment).get(2);
        writeAt(segment, third.position() + third.size() - 1, new byte[] {0x7F});

        PartitionLog reopened = harness.open(true);

        assertThat(reopened.highWatermark()).isEqualTo(15);
        assertThat(Files.size(segment)).isEqualTo(size);
    }

    /**
     * Retention deletes the segment that held the greatest timestamp; after a restart and then a crash
     * with a torn tail, the offset reused by the next append must be found by timestamp. This needs the
     * time index to stay ordered by timestamp and by offset at once across the restart, so that
     * recovery's trim removes the torn batch's entry.
     */
    @Test
    void timestampLookupsStayRightAfterRetentionRemovedTheNewestTimestampAndACrashTornTheTail() throws IOException {
        long now = harness.clock.millis();
        harness.open(config("segment.bytes", "1024", "index.interval.bytes", "0", "retention.bytes", "1500",
                "retention.ms", "-1", "file.delete.delay.ms", "0")).close();
        PartitionLog log = harness.open(true);
        log.append(batch().records(3).timestamp(now + 1_000_000).valueSize(250).build());
        fill(log, 16, now);
        assertThat(log.deleteExpiredSegments()).isPositive();
        log = harness.reopenClean(log);
        long end = log.highWatermark();
        log.append(batch().records(1).timestamp(now + 2_000).build());
        Path active = harness.segmentFile(log.segmentRecords().get(log.segmentRecords().size() - 1).baseOffset());
        harness.crash(log);
        List<BatchAt> batches = batchesIn(active);
        truncate(active, batches.get(batches.size() - 1).position() + 5);

        PartitionLog recovered = harness.open(false);
        assertThat(recovered.highWatermark()).isEqualTo(end);
        recovered.append(batch().records(1).timestamp(now + 5_000).build());

        assertThat(recovered.offsetForTimestamp(now + 3_000)).map(t -> t.offset).contains(end);
        assertThat(recovered.maxTimestampOffset()).map(t -> t.offset).contains(end);
        for (long offset = recovered.logStartOffset(); offset < recovered.highWatermark(); offset++) {
            RecordBatch b = recovered.read(offset, 1, true).records().batches().iterator().next();
            TimestampAndOffset found = recovered.offsetForTimestamp(b.maxTimestamp()).orElseThrow();
            assertThat(found.offset).as("first offset with timestamp >= %d", b.maxTimestamp())
                    .isBetween(recovered.logStartOffset(), b.lastOffset());
        }
    }
}
