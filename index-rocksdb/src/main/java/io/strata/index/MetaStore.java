package io.strata.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Broker-wide singletons. Keys are ASCII names; values as listed:
 * <ul>
 *   <li>{@code cluster.id} → the cluster id, UTF-8 (e.g. {@code "q1Sh-9_ISia_zwGINzRvyQ"})</li>
 *   <li>{@code producer.id.next} → the next producer id to hand out, 8 bytes big-endian</li>
 * </ul>
 * Thread-safe; {@link #allocateProducerId()} is serialized.
 */
public final class MetaStore extends ColumnFamilyStore {

    private static final byte[] PRODUCER_ID_NEXT = "producer.id.next".getBytes(StandardCharsets.US_ASCII);

    MetaStore(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    public Optional<String> getString(String name) {
        return get(name.getBytes(StandardCharsets.US_ASCII)).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    /** Writes a value durably (synced). */
    public void putString(String name, String value) {
        putNow(name.getBytes(StandardCharsets.US_ASCII), value.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Hands out a producer id never handed out before, durably, even across crashes. */
    public synchronized long allocateProducerId() {
        long next = get(PRODUCER_ID_NEXT).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
        putNow(PRODUCER_ID_NEXT, ByteBuffer.allocate(Long.BYTES).putLong(next + 1).array(), true);
        return next;
    }

    /**
     * Raises the next producer id to at least {@code next} (never lowers it), durably: after a catalog
     * was rebuilt or restored, ids already handed out must not be handed out again.
     *
     * @return the next producer id now
     */
    public synchronized long ensureNextProducerIdAtLeast(long next) {
        long current = get(PRODUCER_ID_NEXT).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
        if (next > current) {
            putNow(PRODUCER_ID_NEXT, ByteBuffer.allocate(Long.BYTES).putLong(next).array(), true);
            return next;
        }
        return current;
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_META;
    }
}
