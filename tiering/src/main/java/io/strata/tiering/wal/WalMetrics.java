package io.strata.tiering.wal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Counters of the write-ahead log (exported by the broker's metrics endpoint). Thread-safe.
 */
public final class WalMetrics {
    final LongAdder puts = new LongAdder();
    final LongAdder putBytes = new LongAdder();
    final LongAdder putErrors = new LongAdder();
    final LongAdder commits = new LongAdder();
    final LongAdder commitErrors = new LongAdder();
    final LongAdder fencedRanges = new LongAdder();
    final LongAdder fillPermille = new LongAdder();
    final AtomicInteger inFlight = new AtomicInteger();
    private volatile LongConsumer commitLatency = nanos -> { };

    /** WAL objects PUT (each once, retries not counted). */
    public long puts() {
        return puts.sum();
    }

    /** Bytes of the WAL objects PUT. */
    public long putBytes() {
        return putBytes.sum();
    }

    /** Failed PUT attempts (each retried with the same bytes and key). */
    public long putErrors() {
        return putErrors.sum();
    }

    /** WAL objects committed to the metadata database. */
    public long commits() {
        return commits.sum();
    }

    /** Failed commit attempts (each retried with the same commit). */
    public long commitErrors() {
        return commitErrors.sum();
    }

    /** Ranges the database refused because the partition's leadership moved (their appends failed). */
    public long fencedRanges() {
        return fencedRanges.sum();
    }

    /** Objects being written or committed now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The mean fill of the objects written, as a fraction of {@code wal.batch.bytes} (1.0: each was full). */
    public double meanFillRatio() {
        long objects = puts.sum();
        return objects == 0 ? 0 : fillPermille.sum() / 1000.0 / objects;
    }

    /** Where the time from an object's first append to its commit is reported, in nanoseconds. */
    public void onCommitLatency(LongConsumer recorder) {
        this.commitLatency = recorder;
    }

    void commitLatency(long nanos) {
        commitLatency.accept(nanos);
    }
}
