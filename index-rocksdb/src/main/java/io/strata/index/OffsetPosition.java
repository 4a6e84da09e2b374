package io.strata.index;

/**
 * One offset index entry: the record batch starting at {@code offset} begins at byte {@code position}
 * of the segment whose base offset is {@code segmentBaseOffset}.
 */
public record OffsetPosition(long offset, long segmentBaseOffset, int position) {
}
