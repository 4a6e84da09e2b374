package io.strata.tiering.log;

import io.strata.index.SegmentRecord;
import java.util.List;

/**
 * Which of a partition's oldest sealed segments have expired under {@code retention.ms},
 * {@code retention.bytes}, or a log start offset moved past them. The active (last) segment is
 * never chosen. A segment's age is that of its newest record timestamp (its creation time when its
 * records carry none). Pure function; thread-safe.
 */
public final class RetentionPolicy {

    private RetentionPolicy() {
    }

    /**
     * @param segments       all segments, oldest first, the last one active
     * @return how many of the oldest segments to delete
     */
    public static int expiredSegments(List<SegmentRecord> segments, long retentionMs, long retentionBytes,
                               long logStartOffset, long nowMs) {
        long totalBytes = 0;
        for (SegmentRecord segment : segments) {
            totalBytes += segment.sizeBytes();
        }
        long excessBytes = retentionBytes < 0 ? 0 : totalBytes - retentionBytes;
        int count = 0;
        for (int i = 0; i < segments.size() - 1; i++) {
            SegmentRecord segment = segments.get(i);
            boolean belowStart = segment.nextOffset() <= logStartOffset;
            long newest = segment.maxTimestamp() >= 0 ? segment.maxTimestamp() : segment.createdMs();
            boolean expiredByTime = retentionMs >= 0 && nowMs - newest > retentionMs;
            boolean expiredBySize = excessBytes >= segment.sizeBytes() && excessBytes > 0;
            if (!(belowStart || expiredByTime || expiredBySize)) {
                break;
            }
            excessBytes -= segment.sizeBytes();
            count++;
        }
        return count;
    }
}
