package io.strata.tiering.log;

import io.strata.index.ProducerStateEntry;
import java.util.List;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Brings a partition's idempotent-producer state forward over batches appended after it was taken, with the
 * rules of the partition log ({@link ProducerStateManager}): for a new leader whose newest producer-state object
 * in the bucket ends below the end of the bucket's segments. Not thread-safe; one instance per replay.
 */
public final class ProducerStateReplay {

    private final ProducerStateManager producers;
    private final long from;
    private final long nowMs;

    /**
     * @param partitionName for messages
     * @param start         the state as of offset {@code from}
     * @param nowMs         the broker time recorded as the replayed batches' append time (it drives expiry)
     */
    public ProducerStateReplay(String partitionName, List<ProducerStateEntry> start, long from, long nowMs) {
        this.producers = new ProducerStateManager(partitionName);
        this.producers.load(start);
        this.from = from;
        this.nowMs = nowMs;
    }

    /** Applies one batch, in offset order; batches below the start offset and without a producer id are skipped. */
    public void apply(RecordBatch batch) {
        if (batch.hasProducerId() && batch.baseOffset() >= from) {
            producers.update(batch, nowMs);
        }
    }

    /** The state after the batches applied so far. */
    public List<ProducerStateEntry> state() {
        return producers.snapshot();
    }
}
