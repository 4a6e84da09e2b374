package io.strata.index;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The sparse time index of every partition. An entry {@code (T, O)} says: the greatest timestamp of
 * any record at offset {@code <= O} is {@code T}. Entries are written with the offset index entries
 * (one per {@code index.interval.bytes}), with {@code T} the running maximum over the whole partition
 * log, so entries sort the same way by timestamp and by offset.
 *
 * <p>To find the first offset whose timestamp is {@code >= target}: take the last entry with
 * {@code T < target} (every record up to its {@code O} is too old), then scan batches forward from
 * {@code O + 1}; the scan ends within about one index interval after the answer.
 *
 * <p>Key layout (36 bytes, empty value): {@link PartitionKey} prefix (20 bytes) + running max
 * timestamp (8 bytes, sign bit flipped so that byte order is signed numeric order) + last offset of
 * the batch (8 bytes, big-endian). Several entries may share a timestamp when timestamps stall;
 * the offset keeps them distinct. Example: timestamp 1700000000000 at offset 41 in partition
 * {@code p} is {@code [p][8000018BCFE56800][0000000000000029]}.
 *
 * <p>Thread-safe.
 */
public final class TimeIndex extends ColumnFamilyStore {

    private static final byte[] EMPTY = new byte[0];

    TimeIndex(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    private static byte[] key(PartitionKey partition, long timestamp, long offset) {
        ByteBuffer key = partition.keyWithSuffix(2 * Long.BYTES);
        Keys.putOrderedLong(key, timestamp);
        key.putLong(offset);
        return key.array();
    }

    private static TimeEntry decode(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key, PartitionKey.LENGTH, 2 * Long.BYTES);
        long timestamp = Keys.getOrderedLong(k);
        return new TimeEntry(timestamp, k.getLong());
    }

    public void put(IndexBatch batch, PartitionKey partition, long maxTimestamp, long offset) {
        batch.put(family, key(partition, maxTimestamp, offset), EMPTY);
    }

    /** The entry with the greatest timestamp strictly below {@code timestamp} (and the greatest offset among equals). */
    public Optional<TimeEntry> lastBefore(PartitionKey partition, long timestamp) {
        if (timestamp == Long.MIN_VALUE) {
            return Optional.empty();
        }
        return floor(partition.prefix(), key(partition, timestamp - 1, Long.MAX_VALUE), TimeIndex::decode);
    }

    /** The entry with the least timestamp {@code >= timestamp}. */
    public Optional<TimeEntry> firstAtOrAfter(PartitionKey partition, long timestamp) {
        return ceiling(partition.prefix(), key(partition, timestamp, 0), TimeIndex::decode);
    }

    /** The newest entry of the partition. */
    public Optional<TimeEntry> last(PartitionKey partition) {
        return floor(partition.prefix(), key(partition, Long.MAX_VALUE, Long.MAX_VALUE), TimeIndex::decode);
    }

    /**
     * The entry with the greatest offset below {@code offset}: what the running maximum was just
     * before {@code offset}. Walks back from the newest entry over those at or above {@code offset}
     * only (as {@link #deleteFrom} does).
     */
    public Optional<TimeEntry> lastBelowOffset(PartitionKey partition, long offset) {
        byte[] prefix = partition.prefix();
        try (org.rocksdb.RocksIterator it = store.db().newIterator(family)) {
            for (it.seekForPrev(partition.prefixUpperBound()); it.isValid() && Keys.startsWith(it.key(), prefix);
                 it.prev()) {
                TimeEntry entry = decode(it.key(), it.value());
                if (entry.offset() < offset) {
                    return Optional.of(entry);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Removes every entry for offsets {@code >= fromOffset}. Entries sort by offset as well as by
     * timestamp, so the removed ones are the newest: this walks back from the newest entry over the
     * removed ones only, then issues one range delete.
     */
    public void deleteFrom(IndexBatch batch, PartitionKey partition, long fromOffset) {
        Optional<byte[]> firstRemoved = boundary(partition, fromOffset, false);
        firstRemoved.ifPresent(key -> batch.deleteRange(family, key, partition.prefixUpperBound()));
    }

    /**
     * Removes every entry for offsets {@code < toOffset}, walking forward from the oldest entry over
     * the removed ones only, then issuing one range delete.
     */
    public void deleteBelow(IndexBatch batch, PartitionKey partition, long toOffset) {
        Optional<byte[]> firstKept = boundary(partition, toOffset, true);
        batch.deleteRange(family, partition.prefix(), firstKept.orElse(partition.prefixUpperBound()));
    }

    /** The key of the oldest entry with offset {@code >= offset}, found from the front or from the back. */
    private Optional<byte[]> boundary(PartitionKey partition, long offset, boolean fromFront) {
        byte[] prefix = partition.prefix();
        try (org.rocksdb.RocksIterator it = store.db().newIterator(family)) {
            byte[] candidate = null;
            if (fromFront) {
                for (it.seek(prefix); it.isValid() && Keys.startsWith(it.key(), prefix); it.next()) {
                    if (decode(it.key(), it.value()).offset() >= offset) {
                        return Optional.of(it.key());
                    }
                }
                return Optional.empty();
            }
            for (it.seekForPrev(partition.prefixUpperBound()); it.isValid() && Keys.startsWith(it.key(), prefix);
                 it.prev()) {
                if (decode(it.key(), it.value()).offset() < offset) {
                    break;
                }
                candidate = it.key();
            }
            return Optional.ofNullable(candidate);
        }
    }

    void deletePartition(IndexBatch batch, PartitionKey partition) {
        batch.deleteRange(family, partition.prefix(), partition.prefixUpperBound());
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_TIME_INDEX;
    }
}
