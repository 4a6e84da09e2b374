package io.strata.tiering.log;

import io.strata.index.PartitionKey;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;

/**
 * The part of one partition's log that lives only in the bucket, as its {@link PartitionLog} sees
 * it: reads through {@link RemoteReads}, offset lookups answered from RocksDB alone (no object is
 * read), and how far the copies to the bucket have got. Detached (no reads) until the remote tier
 * attaches it. Thread-safe.
 */
final class RemotePart {

    private final TopicPartition topicPartition;
    private final PartitionKey key;
    private final RocksDbIndexStore store;
    private volatile RemoteReads reads;
    private volatile long copiedEnd;

    RemotePart(TopicPartition topicPartition, PartitionKey key, RocksDbIndexStore store) {
        this.topicPartition = topicPartition;
        this.key = key;
        this.store = store;
    }

    void attach(RemoteReads remoteReads, long copiedUpTo) {
        this.reads = remoteReads;
        onCopied(copiedUpTo);
    }

    boolean attached() {
        return reads != null;
    }

    synchronized void onCopied(long nextOffset) {
        copiedEnd = Math.max(copiedEnd, nextOffset);
    }

    /** One past the last offset copied to the bucket (0 when nothing is). */
    long copiedEnd() {
        return copiedEnd;
    }

    /** Batches from the remote segment holding {@code fetchOffset}; completes when its chunks arrive. */
    CompletableFuture<FetchResult> read(long fetchOffset, int maxBytes, boolean minOneMessage, long highWatermark,
                                        long logStartOffset) {
        Optional<RemoteSegment> segment = store.remoteSegments().floor(key, fetchOffset)
                .filter(s -> s.state() != RemoteSegmentState.COPY_STARTED && fetchOffset < s.nextOffset());
        if (segment.isEmpty()) {
            return CompletableFuture.failedFuture(new KafkaStorageException("Offset " + fetchOffset + " of "
                    + topicPartition + " is below the local segments and in no remote segment"));
        }
        return reads.read(topicPartition, key, segment.get(), fetchOffset, maxBytes, minOneMessage)
                .thenApply(records -> new FetchResult(records, highWatermark, logStartOffset));
    }

    /**
     * The first record below {@code localStart} with a timestamp {@code >= timestamp}, straight from
     * the time index: the uploader added an entry for every record of a remote segment that raises
     * the running maximum, so the first entry at or after {@code timestamp} is the answer when it lies
     * below the local segments.
     */
    Optional<TimestampAndOffset> offsetForTimestamp(long timestamp, long from, long localStart, long highWatermark) {
        return store.timeIndex().firstAtOrAfter(key, timestamp)
                .filter(e -> e.offset() >= from && e.offset() < localStart && e.offset() < highWatermark)
                .map(e -> new TimestampAndOffset(e.maxTimestamp(), e.offset(), Optional.of(0)));
    }

    /**
     * The record with the greatest timestamp among the remote-only segments (below {@code localStart}
     * and not wholly below {@code logStartOffset}), from the catalog: the uploader stored the exact
     * record offset.
     */
    Optional<TimestampAndOffset> maxTimestamp(long localStart, long logStartOffset) {
        if (!attached()) {
            return Optional.empty();
        }
        RemoteSegment best = null;
        for (RemoteSegment segment : store.remoteSegments().list(key)) {
            if (segment.baseOffset() >= localStart || segment.nextOffset() <= logStartOffset
                    || segment.state() == RemoteSegmentState.COPY_STARTED) {
                continue;
            }
            if (segment.maxTimestamp() >= 0 && (best == null || segment.maxTimestamp() > best.maxTimestamp())) {
                best = segment;
            }
        }
        return Optional.ofNullable(best).map(s -> new TimestampAndOffset(s.maxTimestamp(), s.offsetOfMaxTimestamp(),
                Optional.of(0)));
    }
}
