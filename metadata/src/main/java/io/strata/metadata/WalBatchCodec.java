package io.strata.metadata;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The compact byte form in which a metadata store keeps the {@link WalBatch}es of one WAL range: one value per
 * range instead of one row per batch, so a commit's write cost does not grow with the number of batches. Both
 * adapters store it as it is (PostgreSQL: column {@code wal_ranges.batches}; RocksDB: field {@code batches} of a
 * range value). Big-endian:
 * <pre>
 *   version        int8   1
 *   count          int32  number of batches, then per batch (42 bytes each, in offset order):
 *     baseOffset     int64
 *     lastOffset     int64
 *     producerId     int64  -1 without an idempotent producer
 *     producerEpoch  int16
 *     baseSequence   int32
 *     lastSequence   int32
 *     maxTimestamp   int64
 * </pre>
 * For example, one batch of offsets 10 to 14 of producer 7 at epoch 0, sequences 0 to 4, max timestamp
 * 1700000000000 is 47 bytes: {@code 01 00000001 000000000000000a 000000000000000e 0000000000000007 0000 00000000
 * 00000004 0000018bcfe56800}. Stateless and thread-safe.
 */
public final class WalBatchCodec {

    /** The version byte this code writes (and the only one it reads). */
    public static final byte VERSION = 1;
    static final int HEADER_BYTES = 1 + 4;
    static final int BATCH_BYTES = 8 + 8 + 8 + 2 + 4 + 4 + 8;

    private WalBatchCodec() {
    }

    public static byte[] encode(List<WalBatch> batches) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES + BATCH_BYTES * batches.size());
        buffer.put(VERSION).putInt(batches.size());
        for (WalBatch batch : batches) {
            buffer.putLong(batch.baseOffset())
                    .putLong(batch.lastOffset())
                    .putLong(batch.producerId())
                    .putShort(batch.producerEpoch())
                    .putInt(batch.baseSequence())
                    .putInt(batch.lastSequence())
                    .putLong(batch.maxTimestamp());
        }
        return buffer.array();
    }

    /**
     * The batches {@code bytes} holds.
     *
     * @throws IllegalStateException when the bytes are not this layout (another version, or a length that does
     *                               not match the count)
     */
    public static List<WalBatch> decode(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalStateException("WAL batches: " + bytes.length + " bytes, shorter than their header");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        byte version = buffer.get();
        if (version != VERSION) {
            throw new IllegalStateException("WAL batches in an unknown layout version " + version
                    + " (this broker reads version " + VERSION + ")");
        }
        int count = buffer.getInt();
        if (count < 0 || (long) count * BATCH_BYTES != buffer.remaining()) {
            throw new IllegalStateException("WAL batches: " + count + " batches announced in " + bytes.length
                    + " bytes");
        }
        List<WalBatch> batches = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                batches.add(new WalBatch(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getShort(),
                        buffer.getInt(), buffer.getInt(), buffer.getLong()));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("WAL batches are not readable: " + e.getMessage(), e);
        }
        return batches;
    }
}
