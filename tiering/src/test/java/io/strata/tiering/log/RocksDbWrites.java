package io.strata.tiering.log;

import io.strata.index.RocksDbIndexStore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.rocksdb.RocksDBException;

/**
 * The tests' seam on every RocksDB write of a {@link LogHarness}: counts the write batches applied and, while
 * {@link #failing} is set, fails each as RocksDB fails one (a {@link RocksDBException} from the write).
 * Thread-safe.
 */
final class RocksDbWrites implements RocksDbIndexStore.BeforeWrite {

    /** While set, every RocksDB write fails (a full disk). */
    final AtomicBoolean failing = new AtomicBoolean();
    /** Write batches applied (synced or not), failed ones not counted. */
    final AtomicInteger applied = new AtomicInteger();

    @Override
    public void beforeWrite(boolean sync) throws RocksDBException {
        if (failing.get()) {
            throw new RocksDBException("injected: IO error: No space left on device");
        }
        applied.incrementAndGet();
    }
}
