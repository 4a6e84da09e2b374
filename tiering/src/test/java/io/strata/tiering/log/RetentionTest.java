package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.index.SegmentRecord;
import io.strata.index.SegmentState;
import io.strata.tiering.config.LogConfig;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.Test;

class RetentionTest extends LogHarnessTest {

    private static LogConfig retention(String name, String value) {
        return config("segment.bytes", "1024", "file.delete.delay.ms", "0", "retention.ms", "-1", name, value);
    }

    /** Appends single-record batches of about 330 bytes (three per segment), record {@code i} stamped {@code now + i}. */
    private List<SegmentRecord> fill(PartitionLog log, int batches) {
        for (int i = 0; i < batches; i++) {
            log.append(batch().records(1).valueSize(260).timestamp(harness.clock.millis() + i).build());
        }
        return log.segmentRecords();
    }

    @Test
    void segmentsOlderThanRetentionMsAreDeletedAndTheLogStartAdvances() {
        PartitionLog log = harness.open(retention("retention.ms", "3600000"));
        List<SegmentRecord> before = fill(log, 9);
        long activeBase = before.get(before.size() - 1).baseOffset();
        harness.clock.advance(Duration.ofMinutes(59));
        assertThat(log.deleteExpiredSegments()).isZero();

        harness.clock.advance(Duration.ofMinutes(2));
        int deleted = log.deleteExpiredSegments();

        assertThat(deleted).isEqualTo(before.size() - 1);
        assertThat(log.logStartOffset()).isEqualTo(activeBase);
        assertThat(log.segmentRecords()).extracting(SegmentRecord::baseOffset).containsExactly(activeBase);
        assertThatThrownBy(() -> log.read(0, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.read(activeBase, 1000, true).records().sizeInBytes()).isPositive();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (SegmentRecord gone : before.subList(0, before.size() - 1)) {
                assertThat(harness.segmentFile(gone.baseOffset())).doesNotExist();
                assertThat(harness.segmentFile(gone.baseOffset()).resolveSibling(
                        SegmentFiles.fileName(gone.baseOffset()) + SegmentFiles.DELETED_SUFFIX)).doesNotExist();
            }
        });
    }

    @Test
    void oldestSegmentsAreDeletedWhileTheRestStillHoldsRetentionBytes() {
        PartitionLog log = harness.open(retention("retention.bytes", "2000"));
        List<SegmentRecord> before = fill(log, 15);
        assertThat(log.sizeInBytes()).isGreaterThan(2000);

        int deleted = log.deleteExpiredSegments();

        List<SegmentRecord> after = log.segmentRecords();
        assertThat(deleted).isPositive();
        assertThat(after).extracting(SegmentRecord::baseOffset).isEqualTo(
                before.subList(deleted, before.size()).stream().map(SegmentRecord::baseOffset).toList());
        assertThat(log.sizeInBytes()).as("as in Kafka, only whole segments the log can spare").isGreaterThanOrEqualTo(2000);
        assertThat(log.sizeInBytes() - after.get(0).sizeBytes()).isLessThan(2000);
        assertThat(log.logStartOffset()).isEqualTo(after.get(0).baseOffset());
    }

    @Test
    void theActiveSegmentIsNeverDeleted() {
        PartitionLog log = harness.open(retention("retention.bytes", "0"));
        log.append(batch().records(5).timestamp(0).build());
        harness.clock.advance(Duration.ofDays(365));

        assertThat(log.deleteExpiredSegments()).isZero();

        assertThat(log.highWatermark()).isEqualTo(5);
        assertThat(log.logStartOffset()).isZero();
        assertThat(log.read(0, 1000, true).records().sizeInBytes()).isPositive();
    }

    @Test
    void unlimitedRetentionKeepsEverything() {
        PartitionLog log = harness.open(retention("retention.bytes", "-1"));
        List<SegmentRecord> before = fill(log, 12);
        harness.clock.advance(Duration.ofDays(3650));

        assertThat(log.deleteExpiredSegments()).isZero();
        assertThat(log.segmentRecords()).hasSameSizeAs(before);
    }

    @Test
    void theAdvancedLogStartSurvivesARestartAndACrash() {
        PartitionLog log = harness.open(retention("retention.bytes", "1500"));
        fill(log, 12);
        log.deleteExpiredSegments();
        long start = log.logStartOffset();
        assertThat(start).isPositive();

        PartitionLog reopened = harness.reopenClean(log);
        assertThat(reopened.logStartOffset()).isEqualTo(start);
        PartitionLog recovered = harness.crashAndRecover(reopened);

        assertThat(recovered.logStartOffset()).isEqualTo(start);
        assertThat(recovered.highWatermark()).isEqualTo(12);
        assertThat(recovered.segmentRecords().get(0).baseOffset()).isEqualTo(start);
    }

    @Test
    void policyUsesTheNewestTimestampOrTheCreationTimeAndStopsAtTheFirstKeptSegment() {
        long now = 10_000;
        List<SegmentRecord> segments = List.of(
                new SegmentRecord(0, 10, 100, 1_000, 9, 500, SegmentState.SEALED),
                new SegmentRecord(10, 20, 100, -1, -1, 2_000, SegmentState.SEALED),
                new SegmentRecord(20, 30, 100, 9_500, 29, 3_000, SegmentState.SEALED),
                new SegmentRecord(30, 35, 50, 1_000, 34, 4_000, SegmentState.SEALED),
                new SegmentRecord(35, 35, 0, -1, -1, 0, SegmentState.ACTIVE));

        assertThat(RetentionPolicy.expiredSegments(segments, 7_999, -1, 0, now)).isEqualTo(2);
        assertThat(RetentionPolicy.expiredSegments(segments, 8_000, -1, 0, now)).isEqualTo(1);
        assertThat(RetentionPolicy.expiredSegments(segments, 9_000, -1, 0, now)).isZero();
        assertThat(RetentionPolicy.expiredSegments(segments, -1, -1, 0, now)).isZero();
        assertThat(RetentionPolicy.expiredSegments(segments, -1, 250, 0, now)).isEqualTo(1);
        assertThat(RetentionPolicy.expiredSegments(segments, -1, 0, 0, now)).isEqualTo(4);
        assertThat(RetentionPolicy.expiredSegments(segments, -1, -1, 20, now)).isEqualTo(2);
        assertThat(RetentionPolicy.expiredSegments(segments, 0, 0, Long.MAX_VALUE, now))
                .as("never the active segment").isEqualTo(4);
    }
}
