package io.strata.tiering.log;

import io.strata.index.OffsetPosition;
import io.strata.index.PartitionKey;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TimeEntry;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;

/**
 * Finds records of one partition through its indexes (RocksDB's entries and those of recent appends still in
 * memory, {@link PendingIndexEntries}), across both tiers: where to start scanning a
 * local segment for an offset (the nearest offset-index entry), the first record at or after a timestamp
 * (the time index, then the remote tier or the local segments), and the record with the greatest timestamp.
 * Nothing is downloaded to answer a timestamp lookup below the local segments: the remote tier answers
 * from its index entries.
 *
 * <p>Runs without the log's lock, against the segment map (concurrent) and the bounds its caller read.
 */
final class SegmentSearch {

    private final PartitionKey key;
    private final RocksDbIndexStore store;
    private final NavigableMap<Long, LogSegment> segments;
    private final RemotePart remote;
    private final PendingIndexEntries pending;

    SegmentSearch(PartitionKey key, RocksDbIndexStore store, NavigableMap<Long, LogSegment> segments,
                  RemotePart remote, PendingIndexEntries pending) {
        this.key = key;
        this.store = store;
        this.segments = segments;
        this.remote = remote;
        this.pending = pending;
    }

    /** Where to start scanning {@code segment} for {@code offset}: its nearest offset index entry, or 0. */
    int startPosition(LogSegment segment, long offset) {
        return offsetEntryAtOrBelow(offset)
                .filter(e -> e.segmentBaseOffset() == segment.baseOffset())
                .map(e -> e.position())
                .orElse(0);
    }

    /** The offset index entry with the greatest offset {@code <= offset}: pending ones are the newest. */
    Optional<OffsetPosition> offsetEntryAtOrBelow(long offset) {
        Optional<OffsetPosition> recent = pending.floor(offset);
        return recent.isPresent() ? recent : store.offsetIndex().floor(key, offset);
    }

    /** The time index entry with the greatest running maximum below {@code timestamp}: pending ones are the newest. */
    Optional<TimeEntry> timeEntryBefore(long timestamp) {
        Optional<TimeEntry> recent = pending.lastBefore(timestamp);
        return recent.isPresent() ? recent : store.timeIndex().lastBefore(key, timestamp);
    }

    /**
     * The first record below {@code endOffset} whose timestamp is {@code >= timestamp}, with its exact
     * offset: one seek in the time index, then a scan of at most about one index interval.
     */
    Optional<TimestampAndOffset> offsetForTimestamp(long timestamp, long logStartOffset, long endOffset) {
        long localStart = segments.firstKey();
        long from = timeEntryBefore(timestamp)
                .map(e -> e.offset() + 1)
                .orElse(logStartOffset);
        from = Math.max(from, logStartOffset);
        if (remote.attached() && from < localStart) {
            Optional<TimestampAndOffset> found = remote.offsetForTimestamp(timestamp, from, localStart, endOffset);
            if (found.isPresent()) {
                return found;
            }
            from = localStart;
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(from);
        if (entry == null) {
            entry = segments.firstEntry();
        }
        while (entry != null && entry.getKey() < endOffset) {
            LogSegment segment = entry.getValue();
            if (segment.maxTimestamp() >= timestamp) {
                long startOffset = Math.max(from, segment.baseOffset());
                Optional<TimestampAndOffset> found = segment.findByTimestamp(timestamp,
                        startPosition(segment, startOffset), startOffset);
                if (found.isPresent()) {
                    return found.filter(f -> f.offset < endOffset);
                }
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return Optional.empty();
    }

    /** The record with the greatest timestamp (the first such record when several share it). */
    Optional<TimestampAndOffset> maxTimestampOffset(long logStartOffset) {
        Optional<TimestampAndOffset> remoteBest = remote.maxTimestamp(segments.firstKey(), logStartOffset);
        LogSegment best = null;
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestamp() >= 0 && (best == null || segment.maxTimestamp() > best.maxTimestamp())) {
                best = segment;
            }
        }
        if (best == null) {
            return remoteBest;
        }
        LogSegment segment = best;
        if (remoteBest.filter(r -> r.timestamp >= segment.maxTimestamp()).isPresent()) {
            return remoteBest;
        }
        return segment.findByTimestamp(segment.maxTimestamp(), startPosition(segment, segment.offsetOfMaxTimestamp()),
                segment.baseOffset());
    }
}
