package io.strata.tiering.log;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.index.BatchMetadata;
import io.strata.index.ProducerStateEntry;
import java.util.List;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.junit.jupiter.api.Test;

class ProducerStateManagerTest {

    private static final long PID = 42;
    private final ProducerStateManager producers = new ProducerStateManager("orders-0");
    private long nextOffset;

    /** An idempotent batch of {@code count} records, with offsets assigned as the log would. */
    private MutableRecordBatch batchOf(short epoch, int firstSeq, int count) {
        MutableRecordBatch batch = batch().producer(PID, epoch, firstSeq).records(count).build().batches().iterator()
                .next();
        batch.setLastOffset(nextOffset + count - 1);
        return batch;
    }

    private MutableRecordBatch append(short epoch, int firstSeq, int count) {
        MutableRecordBatch batch = batchOf(epoch, firstSeq, count);
        assertThat(producers.check(batch)).isEmpty();
        producers.update(batch, 1_000);
        nextOffset = batch.nextOffset();
        return batch;
    }

    @Test
    void anUnknownProducerMayStartAtAnySequence() {
        assertThat(producers.check(batchOf((short) 3, 1234, 2))).isEmpty();
    }

    @Test
    void eachOfTheLastFiveBatchesIsRecognisedAsADuplicateWithItsOriginalOffsets() {
        for (int i = 0; i < 6; i++) {
            append((short) 0, i * 2, 2);
        }

        for (int i = 1; i < 6; i++) {
            BatchMetadata original = producers.check(batchOf((short) 0, i * 2, 2)).orElseThrow();
            assertThat(original.firstOffset()).isEqualTo(i * 2L);
            assertThat(original.lastOffset()).isEqualTo(i * 2L + 1);
        }
        assertThatThrownBy(() -> producers.check(batchOf((short) 0, 0, 2)))
                .as("the sixth-newest batch is forgotten, so its retry is out of order")
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void aSequenceGapIsOutOfOrder() {
        append((short) 0, 0, 3);

        assertThatThrownBy(() -> producers.check(batchOf((short) 0, 4, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(producers.check(batchOf((short) 0, 3, 1))).isEmpty();
    }

    @Test
    void aStaleEpochIsRejected() {
        append((short) 5, 0, 1);

        assertThatThrownBy(() -> producers.check(batchOf((short) 4, 1, 1)))
                .isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void anEpochBumpResetsTheSequenceToZero() {
        append((short) 0, 0, 10);

        assertThatThrownBy(() -> producers.check(batchOf((short) 1, 10, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class);
        append((short) 1, 0, 1);
        assertThat(producers.check(batchOf((short) 1, 1, 1))).isEmpty();
        assertThatThrownBy(() -> producers.check(batchOf((short) 0, 10, 1)))
                .isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void sequenceWrapsFromIntMaxToZero() {
        append((short) 0, Integer.MAX_VALUE, 1);

        assertThat(producers.check(batchOf((short) 0, 0, 1))).isEmpty();
    }

    @Test
    void aSnapshotLoadsBackIntoTheSameState() {
        append((short) 2, 0, 2);
        append((short) 2, 2, 2);
        List<ProducerStateEntry> snapshot = producers.snapshot();

        ProducerStateManager loaded = new ProducerStateManager("orders-0");
        loaded.load(snapshot);

        assertThat(loaded.snapshot()).isEqualTo(snapshot);
        assertThat(loaded.check(batchOf((short) 2, 2, 2))).map(BatchMetadata::firstOffset).contains(2L);
    }

    @Test
    void truncationForgetsTheBatchesAboveTheNewEnd() {
        append((short) 0, 0, 2);
        append((short) 0, 2, 2);

        producers.truncateTo(2);

        assertThat(producers.snapshot().get(0).batches()).extracting(BatchMetadata::lastSeq).containsExactly(1);
    }

    @Test
    void producersIdleSinceBeforeTheCutoffExpire() {
        append((short) 0, 0, 1);

        producers.expire(1_000);
        assertThat(producers.size()).isEqualTo(1);
        producers.expire(1_001);
        assertThat(producers.size()).isZero();
    }
}
