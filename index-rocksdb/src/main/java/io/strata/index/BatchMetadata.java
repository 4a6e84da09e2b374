package io.strata.index;

/**
 * What the broker remembers of one appended idempotent batch, to answer a retried duplicate with its
 * original offsets.
 */
public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
}
