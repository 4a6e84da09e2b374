package io.strata.tiering.remote;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the remote tier, kept in memory (exported later through the metrics endpoint).
 * Thread-safe.
 */
public final class RemoteMetrics {
    final LongAdder copyBytes = new LongAdder();
    final LongAdder copyRequests = new LongAdder();
    final LongAdder copyErrors = new LongAdder();
    final LongAdder fetchBytes = new LongAdder();
    final LongAdder fetchRequests = new LongAdder();
    final LongAdder fetchErrors = new LongAdder();
    final LongAdder deletedSegments = new LongAdder();
    final LongAdder unreadableSegments = new LongAdder();

    public long copyBytes() {
        return copyBytes.sum();
    }

    /** Object PUTs made for copies: segment, index sidecar and manifest writes. */
    public long copyRequests() {
        return copyRequests.sum();
    }

    public long copyErrors() {
        return copyErrors.sum();
    }

    /** Bytes returned to fetches from remote segments (through the chunk cache). */
    public long fetchBytes() {
        return fetchBytes.sum();
    }

    /** Fetches that read a remote segment. */
    public long fetchRequests() {
        return fetchRequests.sum();
    }

    public long fetchErrors() {
        return fetchErrors.sum();
    }

    public long deletedSegments() {
        return deletedSegments.sum();
    }

    /**
     * Segments copied although some of their compressed batches could not be decompressed (uploaded as
     * they are; see {@link ScannedSegment#unreadable()}).
     */
    public long unreadableSegments() {
        return unreadableSegments.sum();
    }
}
