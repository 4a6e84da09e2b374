package io.strata.index;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Identifies one partition of one topic incarnation in every RocksDB column family.
 *
 * <p>Encoded as a 20-byte key prefix: the topic id's 16 bytes (most significant long, then least
 * significant long, big-endian) followed by the partition number as a 4-byte big-endian int.
 * Example: topic id {@code 00000000-0000-0001-0000-000000000002}, partition 3 encodes as
 * {@code 00 00 00 00 00 00 00 01 | 00 00 00 00 00 00 00 02 | 00 00 00 03}. Keying by topic id
 * rather than name means a deleted and re-created topic never sees the old topic's entries.
 *
 * @param topicId   the topic's id (Kafka's {@code Uuid} converted to a {@link UUID})
 * @param partition the partition number, non-negative
 */
public record PartitionKey(UUID topicId, int partition) {

    /** Length of the encoded prefix in bytes. */
    public static final int LENGTH = 20;

    public PartitionKey {
        if (topicId == null) {
            throw new IllegalArgumentException("topicId must not be null");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be >= 0: " + partition);
        }
    }

    /** Writes the 20-byte prefix at the buffer's position. */
    void writeTo(ByteBuffer buffer) {
        buffer.putLong(topicId.getMostSignificantBits());
        buffer.putLong(topicId.getLeastSignificantBits());
        buffer.putInt(partition);
    }

    /** The 20-byte prefix. */
    byte[] prefix() {
        ByteBuffer buffer = ByteBuffer.allocate(LENGTH);
        writeTo(buffer);
        return buffer.array();
    }

    /** A key made of the prefix followed by {@code suffixLength} bytes written by the caller. */
    ByteBuffer keyWithSuffix(int suffixLength) {
        ByteBuffer buffer = ByteBuffer.allocate(LENGTH + suffixLength);
        writeTo(buffer);
        return buffer;
    }

    /** The first 20-byte prefix after this one: the exclusive upper bound of this partition's keys. */
    byte[] prefixUpperBound() {
        return Keys.increment(prefix());
    }

    static PartitionKey readFrom(ByteBuffer buffer) {
        long msb = buffer.getLong();
        long lsb = buffer.getLong();
        int partition = buffer.getInt();
        return new PartitionKey(new UUID(msb, lsb), partition);
    }

    @Override
    public String toString() {
        return topicId + "-" + partition;
    }
}
