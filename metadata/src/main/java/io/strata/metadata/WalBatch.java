package io.strata.metadata;

/**
 * One Kafka record batch of a committed WAL range, as the metadata store records it (CLUSTER.md rule 11): its
 * offsets, its idempotent producer (id -1 when it has none), that producer's epoch and sequences, and its max
 * timestamp. A new leader restores producer state from these without reading the WAL bytes.
 */
public record WalBatch(long baseOffset, long lastOffset, long producerId, short producerEpoch, int baseSequence,
                       int lastSequence, long maxTimestamp) {
    public WalBatch {
        if (lastOffset < baseOffset) {
            throw new IllegalArgumentException("batch ends (" + lastOffset + ") before it starts (" + baseOffset + ")");
        }
    }
}
