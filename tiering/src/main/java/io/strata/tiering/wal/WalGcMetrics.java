package io.strata.tiering.wal;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the write-ahead log's garbage collection, kept in memory (exported through the metrics endpoint as
 * {@code RemoteMetrics} is). Thread-safe.
 */
public final class WalGcMetrics {
    final LongAdder objectsCollected = new LongAdder();
    final LongAdder orphansCollected = new LongAdder();
    final LongAdder writersRevoked = new LongAdder();
    final LongAdder failedPasses = new LongAdder();

    /** Committed WAL objects deleted from the bucket once none of their ranges was needed any more. */
    public long objectsCollected() {
        return objectsCollected.sum();
    }

    /** WAL objects of dead incarnations that no commit recorded, deleted from the bucket. */
    public long orphansCollected() {
        return orphansCollected.sum();
    }

    /** Dead incarnations revoked as WAL writers (counted on every pass that finds objects of theirs). */
    public long writersRevoked() {
        return writersRevoked.sum();
    }

    /** Passes that stopped on a failure of the bucket or the metadata database (the next pass resumes). */
    public long failedPasses() {
        return failedPasses.sum();
    }
}
