package io.strata.index;

/**
 * The catalog's view of one segment.
 *
 * @param baseOffset           offset of the first batch the segment may hold (its file name)
 * @param nextOffset           one past the last offset it holds ({@code == baseOffset} when empty)
 * @param sizeBytes            bytes of record batches in the segment
 * @param maxTimestamp         greatest batch max timestamp in the segment, {@code -1} when empty
 * @param offsetOfMaxTimestamp last offset of the first batch carrying {@code maxTimestamp}, {@code -1} when empty
 * @param createdMs            wall-clock time the segment was created, for {@code segment.ms} rolls
 * @param state                life-cycle state
 */
public record SegmentRecord(long baseOffset, long nextOffset, long sizeBytes, long maxTimestamp,
                            long offsetOfMaxTimestamp, long createdMs, SegmentState state) {

    public boolean isEmpty() {
        return nextOffset == baseOffset;
    }

    public SegmentRecord withState(SegmentState newState) {
        return new SegmentRecord(baseOffset, nextOffset, sizeBytes, maxTimestamp, offsetOfMaxTimestamp, createdMs,
                newState);
    }
}
