package io.strata.metadata;

/**
 * One entry of a partition's leader-epoch history: leader epoch {@code epoch} starts at offset
 * {@code startOffset} (the committed end when it began) and is led by {@code leader}
 * ({@link PartitionLeadership#NO_LEADER} for an epoch in which the partition was offline or released).
 * OffsetForLeaderEpoch answers from these, and a returning leader truncates by them (Kafka's KIP-101 rule).
 */
public record EpochStart(int epoch, long startOffset, int leader) {
}
