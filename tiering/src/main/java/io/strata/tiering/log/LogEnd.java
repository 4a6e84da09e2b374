package io.strata.tiering.log;

/**
 * The published end of a partition log: readers see everything below {@code offset}, which ends
 * at byte {@code position} of segment {@code segmentBaseOffset}. Replaced as a whole after each
 * append so that a reader never sees an offset without its bytes.
 */
record LogEnd(long offset, long segmentBaseOffset, int position) {
}
