package io.strata.tiering.log;

import io.strata.index.PartitionKey;
import io.strata.index.PartitionState;
import io.strata.index.RocksDbIndexStore;
import io.strata.tiering.config.LogConfig;
import io.strata.tiering.testing.MutableClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Opens one {@link PartitionLog} ({@code orders-0}) in a test's temporary directory with a real
 * {@link RocksDbIndexStore}, a {@link MutableClock} and a real background pool, and can reopen it
 * after a clean close or a simulated crash. Closing the harness closes every log it opened, the
 * pool and the store. Not thread-safe; one per test.
 */
public final class LogHarness implements AutoCloseable {

    public final MutableClock clock = new MutableClock();
    public final TopicPartition topicPartition = new TopicPartition("orders", 0);
    public final PartitionKey key = new PartitionKey(UUID.randomUUID(), 0);
    public final Path partitionDir;
    public final RocksDbIndexStore store;
    public final ExecutorService background = Executors.newFixedThreadPool(2, r -> {
        Thread thread = new Thread(r, "test-log-flush");
        thread.setDaemon(true);
        return thread;
    });
    private final List<PartitionLog> opened = new ArrayList<>();
    private LogConfig config = LogConfig.defaults();

    public LogHarness(Path tempDir) {
        this(tempDir, RocksDbIndexStore.NO_FAULTS);
    }

    /** As {@link #LogHarness(Path)}, with {@code faults} run before every RocksDB write. */
    public LogHarness(Path tempDir, RocksDbIndexStore.BeforeWrite faults) {
        this.partitionDir = tempDir.resolve("orders-0");
        this.store = RocksDbIndexStore.open(tempDir.resolve("rocksdb"), faults);
    }

    /** A config of Kafka's defaults with the given topic overrides, e.g. {@code config("segment.bytes", "2048")}. */
    public static LogConfig config(String... nameValuePairs) {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            overrides.put(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return LogConfig.of(Map.of(), overrides);
    }

    /** Opens the log with {@code config} as if after a clean shutdown (nothing re-validated). */
    public PartitionLog open(LogConfig config) {
        this.config = config;
        return open(true);
    }

    /** Opens the log with the last config used; {@code cleanShutdown=false} runs crash recovery. */
    public PartitionLog open(boolean cleanShutdown) {
        return open(cleanShutdown, background);
    }

    /** As {@link #open(boolean)}, with {@code flushes} running the background fsyncs and checkpoints. */
    public PartitionLog open(boolean cleanShutdown, Executor flushes) {
        PartitionLog log = PartitionLog.open(topicPartition, key, partitionDir, store, config, clock, flushes,
                cleanShutdown);
        opened.add(log);
        return log;
    }

    /** Closes {@code log} cleanly and opens it again (the catalog is trusted). */
    public PartitionLog reopenClean(PartitionLog log) {
        log.close();
        return open(true);
    }

    /**
     * Simulates a broker crash: the files are closed with no final flush, checkpoint or catalog
     * update, then the log is opened with recovery. Whatever the background pool had already
     * checkpointed stays, as it would on disk.
     */
    public PartitionLog crashAndRecover(PartitionLog log) {
        crash(log);
        return open(false);
    }

    /** The crash half of {@link #crashAndRecover}: close the files without any shutdown work. */
    public void crash(PartitionLog log) {
        log.closeForDeletion();
    }

    public PartitionState partitionState() {
        return store.partitionStates().get(key).orElseThrow();
    }

    public Path segmentFile(long baseOffset) {
        return SegmentFiles.path(partitionDir, baseOffset);
    }

    @Override
    public void close() throws InterruptedException {
        for (PartitionLog log : opened) {
            log.closeForDeletion();
        }
        background.shutdown();
        background.awaitTermination(10, TimeUnit.SECONDS);
        store.close();
    }
}
