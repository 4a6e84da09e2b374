package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.junit.jupiter.api.Test;

class IdempotentAppendTest extends LogHarnessTest {

    private static final long PID = 7;

    private static MemoryRecords produce(short epoch, int firstSeq, int count) {
        return batch().producer(PID, epoch, firstSeq).records(count).build();
    }

    private static List<AppendResult> appendBatches(PartitionLog log, int batches) {
        List<AppendResult> results = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            results.add(log.append(produce((short) 0, i * 2, 2)));
        }
        return results;
    }

    private static void assertAllAreDuplicates(PartitionLog log, List<AppendResult> originals, int firstBatch) {
        long end = log.highWatermark();
        for (int i = firstBatch; i < originals.size(); i++) {
            AppendResult retry = log.append(produce((short) 0, i * 2, 2));
            assertThat(retry.duplicate()).isTrue();
            assertThat(retry.firstOffset()).isEqualTo(originals.get(i).firstOffset());
            assertThat(retry.lastOffset()).isEqualTo(originals.get(i).lastOffset());
        }
        assertThat(log.highWatermark()).as("duplicates append nothing").isEqualTo(end);
    }

    @Test
    void retriesOfTheLastFiveBatchesGetTheirOriginalOffsets() {
        PartitionLog log = harness.open(config());
        List<AppendResult> originals = appendBatches(log, 7);

        assertAllAreDuplicates(log, originals, 2);
    }

    @Test
    void duplicateUnderLogAppendTimeIsAnsweredWithTheOriginalAppendTime() {
        PartitionLog log = harness.open(config("message.timestamp.type", "LogAppendTime"));
        AppendResult original = log.append(produce((short) 0, 0, 3));
        harness.clock.advance(Duration.ofSeconds(30));

        AppendResult retry = log.append(produce((short) 0, 0, 3));

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.logAppendTimeMs()).isEqualTo(original.logAppendTimeMs()).isNotEqualTo(-1);
    }

    @Test
    void aSequenceGapIsOutOfOrderSequenceAndAppendsNothing() {
        PartitionLog log = harness.open(config());
        log.append(produce((short) 0, 0, 2));

        Throwable thrown = catchThrowable(() -> log.append(produce((short) 0, 3, 1)));

        assertThat(thrown).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(Errors.forException(thrown)).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(log.highWatermark()).isEqualTo(2);
    }

    @Test
    void aStaleEpochIsInvalidProducerEpoch() {
        PartitionLog log = harness.open(config());
        log.append(produce((short) 3, 0, 1));

        Throwable thrown = catchThrowable(() -> log.append(produce((short) 2, 1, 1)));

        assertThat(thrown).isInstanceOf(InvalidProducerEpochException.class);
        assertThat(Errors.forException(thrown)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void anEpochBumpStartsAgainAtSequenceZero() {
        PartitionLog log = harness.open(config());
        log.append(produce((short) 0, 0, 5));

        assertThat(log.append(produce((short) 1, 0, 1)).firstOffset()).isEqualTo(5);
        assertThat(log.append(produce((short) 1, 1, 1)).firstOffset()).isEqualTo(6);
        assertThatThrownBy(() -> log.append(produce((short) 2, 7, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void producerStateSurvivesACleanReopen() {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        List<AppendResult> originals = appendBatches(log, 12);

        PartitionLog reopened = harness.reopenClean(log);

        assertAllAreDuplicates(reopened, originals, 7);
        assertThat(reopened.append(produce((short) 0, 24, 1)).firstOffset()).isEqualTo(24);
    }

    @Test
    void producerStateSurvivesACrash() {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        List<AppendResult> originals = appendBatches(log, 4);
        log.flush();
        for (int i = 4; i < 8; i++) {
            originals.add(log.append(produce((short) 0, i * 2, 2)));
        }

        PartitionLog recovered = harness.crashAndRecover(log);

        assertThat(recovered.highWatermark()).isEqualTo(16);
        assertAllAreDuplicates(recovered, originals, 3);
        assertThatThrownBy(() -> recovered.append(produce((short) 0, 17, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(recovered.append(produce((short) 0, 16, 1)).firstOffset()).isEqualTo(16);
    }
}
