package io.strata.index;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Snapshots of idempotent-producer state per partition. The partition log writes a snapshot in the
 * same batch as its recovery point and replays the log above the recovery point after a crash, so
 * the snapshot never runs ahead of durable log data.
 *
 * <p>Key layout (28 bytes): {@link PartitionKey} prefix (20 bytes) + producer id (8 bytes, big-endian).
 * Value layout (version 1):
 * <pre>
 *   version:1 (=1) | epoch:2 | lastTimestamp:8 | count:1
 *   | count x (firstSeq:4 | lastSeq:4 | firstOffset:8 | lastOffset:8 | timestamp:8)
 * </pre>
 * Example: producer 7, epoch 0, one batch of sequences 0..9 at offsets 100..109 written at
 * 1700000000000 is {@code [p][0000000000000007] -> 01 0000 0000018BCFE56800 01 00000000 00000009
 * 0000000000000064 000000000000006D 0000018BCFE56800}.
 *
 * <p>Thread-safe.
 */
public final class ProducerStateStore extends ColumnFamilyStore {

    private static final byte VERSION = 1;
    private static final int BATCH_LENGTH = 4 + 4 + 8 + 8 + 8;

    ProducerStateStore(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    private static byte[] key(PartitionKey partition, long producerId) {
        ByteBuffer key = partition.keyWithSuffix(Long.BYTES);
        key.putLong(producerId);
        return key.array();
    }

    static byte[] encode(ProducerStateEntry entry) {
        if (entry.batches().size() > 255) {
            throw new IllegalArgumentException("at most 255 batches per producer can be stored, got "
                    + entry.batches().size());
        }
        ByteBuffer value = ByteBuffer.allocate(1 + 2 + 8 + 1 + entry.batches().size() * BATCH_LENGTH);
        value.put(VERSION).putShort(entry.epoch()).putLong(entry.lastTimestamp()).put((byte) entry.batches().size());
        for (BatchMetadata batch : entry.batches()) {
            value.putInt(batch.firstSeq()).putInt(batch.lastSeq())
                    .putLong(batch.firstOffset()).putLong(batch.lastOffset()).putLong(batch.timestamp());
        }
        return value.array();
    }

    static ProducerStateEntry decode(byte[] key, byte[] value) {
        long producerId = ByteBuffer.wrap(key, PartitionKey.LENGTH, Long.BYTES).getLong();
        ByteBuffer v = ByteBuffer.wrap(value);
        byte version = v.get();
        if (version != VERSION) {
            throw new IndexStoreException("unsupported producer state version " + version);
        }
        short epoch = v.getShort();
        long lastTimestamp = v.getLong();
        int count = Byte.toUnsignedInt(v.get());
        List<BatchMetadata> batches = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batches.add(new BatchMetadata(v.getInt(), v.getInt(), v.getLong(), v.getLong(), v.getLong()));
        }
        return new ProducerStateEntry(producerId, epoch, lastTimestamp, batches);
    }

    public void put(IndexBatch batch, PartitionKey partition, ProducerStateEntry entry) {
        batch.put(family, key(partition, entry.producerId()), encode(entry));
    }

    public void delete(IndexBatch batch, PartitionKey partition, long producerId) {
        batch.delete(family, key(partition, producerId));
    }

    /** Every producer's snapshot for the partition, by producer id. */
    public List<ProducerStateEntry> list(PartitionKey partition) {
        return scan(partition.prefix(), ProducerStateStore::decode);
    }

    /** Replaces the partition's whole snapshot with {@code entries}. */
    public void replaceAll(IndexBatch batch, PartitionKey partition, List<ProducerStateEntry> entries) {
        deletePartition(batch, partition);
        for (ProducerStateEntry entry : entries) {
            put(batch, partition, entry);
        }
    }

    void deletePartition(IndexBatch batch, PartitionKey partition) {
        batch.deleteRange(family, partition.prefix(), partition.prefixUpperBound());
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_PRODUCER_STATE;
    }
}
