package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.tiering.testing.RecordBatches;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.junit.jupiter.api.Test;

/** Offsets and LogAppendTime are set by rewriting the batch header; the records section is stored as sent. */
class AppendRewriteTest extends LogHarnessTest {

    private static byte[] recordsSection(MemoryRecords records) {
        ByteBuffer buffer = records.buffer();
        byte[] bytes = new byte[records.sizeInBytes() - DefaultRecordBatch.RECORD_BATCH_OVERHEAD];
        buffer.duplicate().position(DefaultRecordBatch.RECORD_BATCH_OVERHEAD).get(bytes);
        return bytes;
    }

    @Test
    void offsetsAreAssignedInTheHeaderWithoutRecompressing() {
        PartitionLog log = harness.open(config());
        log.append(batch().records(4).build());
        MemoryRecords sent = batch().records(10).compression(Compression.zstd().build()).build();
        byte[] sentRecords = recordsSection(RecordBatches.copy(sent));

        log.append(sent);

        MemoryRecords stored = log.read(4, Integer.MAX_VALUE, true).memoryRecords();
        RecordBatch batch = stored.batches().iterator().next();
        assertThat(batch.baseOffset()).isEqualTo(4);
        assertThat(batch.lastOffset()).isEqualTo(13);
        assertThat(batch.isValid()).isTrue();
        assertThat(stored.sizeInBytes()).isEqualTo(sentRecords.length + DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        assertThat(recordsSection(stored)).isEqualTo(sentRecords);
    }

    @Test
    void logAppendTimeRewritesTheMaxTimestampAndKeepsTheCrcValid() {
        PartitionLog log = harness.open(config("message.timestamp.type", "LogAppendTime"));
        MemoryRecords sent = batch().timestamp(1_000).records(5).compression(Compression.lz4().build()).build();
        byte[] sentRecords = recordsSection(RecordBatches.copy(sent));

        AppendResult result = log.append(sent);

        RecordBatch batch = log.read(0, Integer.MAX_VALUE, true).records().batches().iterator().next();
        assertThat(result.logAppendTimeMs()).isEqualTo(harness.clock.millis());
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(batch.maxTimestamp()).isEqualTo(harness.clock.millis());
        assertThat(batch.isValid()).isTrue();
        batch.forEach(r -> assertThat(r.timestamp()).isEqualTo(harness.clock.millis()));
        assertThat(recordsSection(log.read(0, Integer.MAX_VALUE, true).memoryRecords())).isEqualTo(sentRecords);
    }

    @Test
    void appendsStampTheLeaderEpochSetAtTheTime() {
        PartitionLog log = harness.open(config());
        log.append(batch().records(2).build());
        log.setLeaderEpoch(7);
        log.append(batch().records(3).build());

        var batches = log.read(0, Integer.MAX_VALUE, true).records().batches().iterator();
        assertThat(batches.next().partitionLeaderEpoch()).isZero();
        RecordBatch second = batches.next();
        assertThat(second.partitionLeaderEpoch()).isEqualTo(7);
        assertThat(second.isValid()).isTrue();
        assertThat(log.leaderEpoch()).isEqualTo(7);
    }

    @Test
    void sealForHandOffSealsTheActiveSegmentAndMakesItUploadable() {
        PartitionLog log = harness.open(config());
        log.append(batch().records(4).build());

        long end = log.sealForHandOff();

        assertThat(end).isEqualTo(4);
        assertThat(log.uploadableSegments()).hasSize(1);
        assertThat(log.uploadableSegments().get(0).nextOffset()).isEqualTo(4);
        assertThat(log.sealForHandOff()).isEqualTo(4); // nothing new: no empty segment sealed
        assertThat(log.uploadableSegments()).hasSize(1);
    }

    @Test
    void aLogSealedForAHandOffRefusesAppendsUntilItResumesThem() {
        // A produce that passed the leadership check before the hand-over began may reach the log after the seal:
        // appended then, it would sit in an unsealed segment above the hand-over's end and the upload would wait
        PartitionLog log = harness.open(config());
        log.append(batch().records(4).build());
        long end = log.sealForHandOff();

        assertThatThrownBy(() -> log.append(batch().records(1).build()))
                .isInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(log.uploadableSegments().get(log.uploadableSegments().size() - 1).nextOffset()).isEqualTo(end);

        log.resumeAppends(); // the hand-over failed: the partition is served again
        assertThat(log.append(batch().records(1).build()).firstOffset()).isEqualTo(end);
    }

    @Test
    void createTimeAppendReportsNoLogAppendTime() {
        PartitionLog log = harness.open(config());

        assertThat(log.append(batch().build()).logAppendTimeMs()).isEqualTo(RecordBatch.NO_TIMESTAMP);
    }

    @Test
    void multiBatchRequestLargerThanSegmentBytesIsRefusedAndNothingIsAppended() {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        log.append(batch().records(1).valueSize(100).build());
        MemoryRecords request = RecordBatches.concat(batch().records(1).valueSize(600).build(),
                batch().records(1).valueSize(600).build());

        assertThatThrownBy(() -> log.append(request)).isInstanceOf(RecordBatchTooLargeException.class);

        assertThat(log.highWatermark()).isEqualTo(1);
        assertThat(log.segmentRecords()).hasSize(1);
        assertThat(log.append(batch().records(1).valueSize(600).build()).firstOffset()).isEqualTo(1);
        assertThat(log.segmentRecords()).allMatch(s -> s.sizeBytes() <= 1024);
    }

    @Test
    void eachBatchOfAMultiBatchRequestGetsItsOwnOffsets() {
        PartitionLog log = harness.open(config());
        MemoryRecords request = RecordBatches.concat(batch().records(2).build(), batch().records(3).build());

        AppendResult result = log.append(request);

        assertThat(result.firstOffset()).isZero();
        assertThat(result.lastOffset()).isEqualTo(4);
        assertThat(log.read(0, Integer.MAX_VALUE, true).records().batches())
                .extracting(RecordBatch::baseOffset).containsExactly(0L, 2L);
    }

    @Test
    void emptyRequestAppendsNothing() {
        PartitionLog log = harness.open(config());

        assertThat(log.append(MemoryRecords.EMPTY).firstOffset()).isEqualTo(-1);
        assertThat(log.highWatermark()).isZero();
        assertThat(log.segmentRecords().get(0).sizeBytes()).isZero();
    }
}
