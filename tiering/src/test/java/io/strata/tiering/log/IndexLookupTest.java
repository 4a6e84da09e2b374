package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.index.OffsetPosition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;
import org.junit.jupiter.api.Test;

/** The sparse offset index and the time index (in RocksDB, the newest entries in memory), as the log uses them. */
class IndexLookupTest extends LogHarnessTest {

    private static final int INTERVAL = 1000;

    /** A batch as found on disk, read while its file is open. */
    private record Located(long segment, long baseOffset, long lastOffset, int position, int sizeInBytes,
                           List<TimestampAndOffset> records) {
    }

    private List<Located> batchesOnDisk(PartitionLog log) throws IOException {
        List<Located> all = new ArrayList<>();
        for (var segment : log.segmentRecords()) {
            try (FileRecords records = FileRecords.open(harness.segmentFile(segment.baseOffset()).toFile(), false)) {
                for (FileChannelRecordBatch batch : records.batches()) {
                    List<TimestampAndOffset> inBatch = new ArrayList<>();
                    batch.forEach(r -> inBatch.add(new TimestampAndOffset(r.timestamp(), r.offset(), Optional.empty())));
                    all.add(new Located(segment.baseOffset(), batch.baseOffset(), batch.lastOffset(), batch.position(),
                            batch.sizeInBytes(), inBatch));
                }
            }
        }
        return all;
    }

    @Test
    void anEntryMarksTheFirstBatchOfEverySegmentAndEveryIntervalOfBytes() throws IOException {
        PartitionLog log = harness.open(config("segment.bytes", "4096", "index.interval.bytes",
                String.valueOf(INTERVAL)));
        for (int i = 0; i < 60; i++) {
            log.append(batch().records(2).valueSize(60 + i % 7 * 20).build());
        }

        long bytesSinceEntry = 0;
        long segment = -1;
        for (Located located : batchesOnDisk(log)) {
            Located batch = located;
            Optional<OffsetPosition> exact = log.offsetIndexEntryAtOrBelow(batch.baseOffset())
                    .filter(e -> e.offset() == batch.baseOffset());
            boolean due = located.segment() != segment || bytesSinceEntry >= INTERVAL;
            assertThat(exact.isPresent()).as("entry for the batch at offset %d", batch.baseOffset()).isEqualTo(due);
            if (due) {
                assertThat(exact.get().segmentBaseOffset()).isEqualTo(located.segment());
                assertThat(exact.get().position()).isEqualTo(batch.position());
                bytesSinceEntry = 0;
                segment = located.segment();
            }
            bytesSinceEntry += batch.sizeInBytes();
        }
    }

    @Test
    void everyOffsetSeeksToAnEntryWithinOneIntervalBeforeItsBatch() throws IOException {
        PartitionLog log = harness.open(config("segment.bytes", "8192", "index.interval.bytes",
                String.valueOf(INTERVAL)));
        for (int i = 0; i < 80; i++) {
            log.append(batch().records(3).valueSize(50).build());
        }
        int largestBatch = 0;
        List<Located> batches = batchesOnDisk(log);
        for (Located located : batches) {
            largestBatch = Math.max(largestBatch, located.sizeInBytes());
        }

        for (Located located : batches) {
            Located batch = located;
            for (long offset = batch.baseOffset(); offset <= batch.lastOffset(); offset++) {
                OffsetPosition entry = log.offsetIndexEntryAtOrBelow(offset).orElseThrow();
                assertThat(entry.segmentBaseOffset()).isEqualTo(located.segment());
                assertThat(batch.position() - entry.position()).as("scan distance for offset %d", offset)
                        .isBetween(0, INTERVAL + largestBatch);
                assertThat(log.read(offset, 1, true).records().batches().iterator().next().baseOffset())
                        .isEqualTo(batch.baseOffset());
            }
        }
    }

    @Test
    void offsetForTimestampIsTheFirstRecordAtOrAfterItAcrossSegments() throws IOException {
        PartitionLog log = harness.open(config("segment.bytes", "2048", "index.interval.bytes", "500"));
        long base = harness.clock.millis();
        long[] batchStarts = {100, 200, 150, 400, 390, 800, 700, 1200, 1100, 1500, 1490, 2000, 1999, 2500};
        for (int round = 0; round < 3; round++) {
            for (long start : batchStarts) {
                log.append(batch().records(4).valueSize(80).timestamp(base + start + round * 3000L).build());
            }
        }
        assertThat(log.segmentRecords()).hasSizeGreaterThan(3);
        List<TimestampAndOffset> records = new ArrayList<>();
        for (Located located : batchesOnDisk(log)) {
            records.addAll(located.records());
        }

        for (long target = base; target <= base + 9_000; target += 37) {
            long t = target;
            Optional<TimestampAndOffset> expected = records.stream().filter(r -> r.timestamp >= t).findFirst();
            Optional<TimestampAndOffset> found = log.offsetForTimestamp(t);
            assertThat(found.map(f -> f.offset)).as("target %d", t - base).isEqualTo(expected.map(r -> r.offset));
            assertThat(found.map(f -> f.timestamp)).isEqualTo(expected.map(r -> r.timestamp));
        }
    }

    @Test
    void maxTimestampIsTheFirstRecordCarryingTheGreatestTimestamp() {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        long base = harness.clock.millis();
        log.append(batch().records(3).valueSize(200).timestamp(base).build());
        log.append(batch().records(3).valueSize(200).timestamp(base + 5_000).build());
        log.append(batch().records(3).valueSize(200).timestamp(base + 100).build());
        log.append(batch().records(3).valueSize(200).timestamp(base + 5_002).build());

        TimestampAndOffset max = log.maxTimestampOffset().orElseThrow();

        assertThat(max.timestamp).isEqualTo(base + 5_004);
        assertThat(max.offset).isEqualTo(11);
        assertThat(log.offsetForTimestamp(base + 5_005)).isEmpty();
    }

    @Test
    void anEmptyLogHasNoTimestamps() {
        PartitionLog log = harness.open(config());

        assertThat(log.maxTimestampOffset()).isEmpty();
        assertThat(log.offsetForTimestamp(0)).isEmpty();
    }
}
