package io.strata.index;

/**
 * One time index entry: every record at or below {@code offset} has a timestamp {@code <= maxTimestamp}.
 */
public record TimeEntry(long maxTimestamp, long offset) {
}
