package io.strata.tiering.log;

import io.strata.tiering.testing.RecordBatches;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Measures the CPU time {@link PartitionLog#append} takes per batch on this machine, in one thread of its own
 * (so that other load on the machine inflates it less than a wall-clock figure): a log over a temporary
 * directory and RocksDB ({@link LogHarness}), Kafka's default topic config with 1 GiB segments, {@code warmup}
 * appends not measured, then {@code appends} measured, each of a fresh copy of one uncompressed batch.
 * Prints one line, {@code batch=B bytes appends=N cpu-us/append=C wall-us/append=W cpu-s/GiB=G}. Not a test:
 * run it by hand against the test classpath, e.g. with args {@code 16 1000 10000 5000} (16 records of 1000 bytes).
 */
public final class AppendCostProbe {
    public static void main(String[] args) throws Exception {
        int records = Integer.parseInt(args[0]);
        int valueSize = Integer.parseInt(args[1]);
        int appends = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        Path dir = Files.createTempDirectory("append-probe");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        MemoryRecords template = RecordBatches.batch().records(records).valueSize(valueSize).build();
        try (LogHarness harness = new LogHarness(dir)) {
            PartitionLog log = harness.open(LogHarness.config("segment.bytes", String.valueOf(1 << 30)));
            for (int i = 0; i < warmup; i++) {
                log.append(RecordBatches.copy(template));
            }
            long cpu = 0;
            long wall = 0;
            for (int i = 0; i < appends; i++) {
                MemoryRecords copy = RecordBatches.copy(template);
                long c0 = threads.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                log.append(copy);
                wall += System.nanoTime() - w0;
                cpu += threads.getCurrentThreadCpuTime() - c0;
            }
            System.out.printf(Locale.ROOT, "batch=%d bytes appends=%d cpu-us/append=%.2f wall-us/append=%.2f cpu-s/GiB=%.3f%n",
                    template.sizeInBytes(), appends, cpu / 1e3 / appends, wall / 1e3 / appends,
                    cpu / 1e9 / ((double) appends * template.sizeInBytes() / (1 << 30)));
            log.closeForDeletion();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
