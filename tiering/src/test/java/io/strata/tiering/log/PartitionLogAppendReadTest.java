package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.index.SegmentRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

class PartitionLogAppendReadTest extends LogHarnessTest {

    @Test
    void appendsAssignConsecutiveOffsetsAndReadReturnsTheBatches() {
        PartitionLog log = harness.open(config());

        AppendResult first = log.append(batch().records(3).build());
        AppendResult second = log.append(batch().records(2).build());

        assertThat(first.firstOffset()).isZero();
        assertThat(first.lastOffset()).isEqualTo(2);
        assertThat(second.firstOffset()).isEqualTo(3);
        assertThat(second.lastOffset()).isEqualTo(4);
        assertThat(log.highWatermark()).isEqualTo(5);
        List<Long> bases = new ArrayList<>();
        log.read(0, Integer.MAX_VALUE, true).records().batches().forEach(b -> bases.add(b.baseOffset()));
        assertThat(bases).containsExactly(0L, 3L);
    }

    @Test
    void segmentFilesAreNamedByTheirTwentyDigitBaseOffset() throws IOException {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));

        for (int i = 0; i < 12; i++) {
            log.append(batch().records(1).valueSize(200).build());
        }

        List<String> names;
        try (Stream<Path> files = Files.list(harness.partitionDir)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> expected = log.segmentRecords().stream()
                .map(s -> String.format("%020d.log", s.baseOffset())).toList();
        assertThat(names).hasSizeGreaterThan(1).isEqualTo(expected);
        assertThat(names.get(0)).isEqualTo("00000000000000000000.log");
        assertThat(names).allMatch(n -> n.matches("\\d{20}\\.log"));
    }

    @Test
    void rollsWhenTheNextBatchWouldPassSegmentBytes() {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        int batchSize = batch().records(1).valueSize(200).build().sizeInBytes();

        for (int i = 0; i < 10; i++) {
            log.append(batch().records(1).valueSize(200).build());
        }

        List<SegmentRecord> segments = log.segmentRecords();
        assertThat(segments).hasSizeGreaterThan(1);
        for (SegmentRecord sealed : segments.subList(0, segments.size() - 1)) {
            assertThat(sealed.sizeBytes()).isLessThanOrEqualTo(1024).isGreaterThan(1024 - batchSize);
        }
        for (int i = 1; i < segments.size(); i++) {
            assertThat(segments.get(i).baseOffset()).isEqualTo(segments.get(i - 1).nextOffset());
        }
        assertThat(segments.get(segments.size() - 1).nextOffset()).isEqualTo(10);
    }

    @Test
    void rollsOnAppendOnceTheActiveSegmentIsOlderThanSegmentMs() {
        PartitionLog log = harness.open(config("segment.ms", "60000"));
        log.append(batch().build());
        harness.clock.advance(Duration.ofSeconds(59));
        log.append(batch().build());
        assertThat(log.segmentRecords()).hasSize(1);

        harness.clock.advance(Duration.ofSeconds(1));
        log.append(batch().build());

        assertThat(log.segmentRecords()).extracting(SegmentRecord::baseOffset).containsExactly(0L, 2L);
    }

    @Test
    void idleActiveSegmentRollsByTimeButAnEmptyOneDoesNot() {
        PartitionLog log = harness.open(config("segment.ms", "60000"));
        harness.clock.advance(Duration.ofMinutes(5));
        log.maybeRollByTime();
        assertThat(log.segmentRecords()).hasSize(1);

        log.append(batch().records(2).build());
        harness.clock.advance(Duration.ofMinutes(1));
        log.maybeRollByTime();

        assertThat(log.segmentRecords()).extracting(SegmentRecord::baseOffset).containsExactly(0L, 2L);
        assertThat(log.segmentRecords().get(1).isEmpty()).isTrue();
    }

    @Test
    void readFromTheMiddleOfACompressedBatchReturnsTheWholeContainingBatch() {
        PartitionLog log = harness.open(config());
        log.append(batch().records(10).compression(Compression.zstd().build()).build());
        log.append(batch().records(10).compression(Compression.lz4().build()).build());

        for (long offset = 0; offset < 20; offset++) {
            MemoryRecords records = log.read(offset, Integer.MAX_VALUE, true).memoryRecords();
            RecordBatch firstBatch = records.batches().iterator().next();
            assertThat(firstBatch.baseOffset()).as("first batch for offset %d", offset).isEqualTo(offset < 10 ? 0 : 10);
            assertThat(firstBatch.lastOffset()).isGreaterThanOrEqualTo(offset);
        }
    }

    @Test
    void readFromEveryOffsetAcrossRolledSegmentsFindsTheContainingBatch() {
        PartitionLog log = harness.open(config("segment.bytes", "1024", "index.interval.bytes", "300"));
        for (int i = 0; i < 30; i++) {
            log.append(batch().records(3).valueSize(40).build());
        }
        assertThat(log.segmentRecords()).hasSizeGreaterThan(3);

        for (long offset = 0; offset < 90; offset++) {
            RecordBatch found = log.read(offset, 1, true).records().batches().iterator().next();
            assertThat(found.baseOffset()).as("offset %d", offset).isEqualTo(offset / 3 * 3);
        }
    }

    @Test
    void readStopsAtMaxBytesCuttingTheLastBatchShort() {
        PartitionLog log = harness.open(config());
        log.append(batch().records(5).build());
        int size = log.read(0, Integer.MAX_VALUE, true).records().sizeInBytes();
        log.append(batch().records(5).build());

        MemoryRecords records = log.read(0, size + 10, false).memoryRecords();

        assertThat(records.sizeInBytes()).isEqualTo(size + 10);
        assertThat(records.batches()).hasSize(1);
    }

    @Test
    void firstBatchLargerThanMaxBytesIsReturnedWholeOnlyWithMinOneMessage() {
        PartitionLog log = harness.open(config());
        log.append(batch().records(20).valueSize(100).build());
        int size = log.read(0, Integer.MAX_VALUE, true).records().sizeInBytes();

        MemoryRecords whole = log.read(0, 100, true).memoryRecords();
        MemoryRecords none = log.read(0, 100, false).memoryRecords();

        assertThat(whole.sizeInBytes()).isEqualTo(size);
        assertThat(whole.batches().iterator().next().isValid()).isTrue();
        assertThat(none.sizeInBytes()).isLessThanOrEqualTo(100);
        assertThat(none.batches()).isEmpty();
    }

    @Test
    void readAtTheHighWatermarkIsEmptyAndBeyondItIsOutOfRange() {
        PartitionLog log = harness.open(config());
        log.append(batch().records(3).build());

        assertThat(log.read(3, 1000, true).records().sizeInBytes()).isZero();
        assertThatThrownBy(() -> log.read(4, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.read(-1, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void appendedDataSurvivesACleanReopen() {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        for (int i = 0; i < 10; i++) {
            log.append(batch().records(2).valueSize(100).build());
        }
        List<SegmentRecord> before = log.segmentRecords();

        PartitionLog reopened = harness.reopenClean(log);

        assertThat(reopened.highWatermark()).isEqualTo(20);
        assertThat(reopened.segmentRecords()).usingRecursiveComparison().ignoringFields("state").isEqualTo(before);
        assertThat(reopened.append(batch().build()).firstOffset()).isEqualTo(20);
    }

    @Test
    void readersRacingAppendsSeeOnlyWholeValidBatchesBelowTheHighWatermark() throws Exception {
        PartitionLog log = harness.open(config("segment.bytes", "4096"));
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 400; i++) {
                log.append(batch().records(1 + i % 4).valueSize(50).build());
            }
        });
        int reads = 0;
        while (!writer.isDone() || reads == 0) {
            long hwm = log.highWatermark();
            long offset = hwm == 0 ? 0 : reads % hwm;
            long expectedNext = -1;
            for (RecordBatch b : log.read(offset, Integer.MAX_VALUE, true).records().batches()) {
                assertThat(b.isValid()).isTrue();
                assertThat(b.lastOffset()).isLessThan(log.highWatermark());
                if (expectedNext >= 0) {
                    assertThat(b.baseOffset()).isEqualTo(expectedNext);
                }
                expectedNext = b.nextOffset();
            }
            reads++;
        }
        writer.get(30, TimeUnit.SECONDS);
        assertThat(log.highWatermark()).isEqualTo(1000);
    }
}
