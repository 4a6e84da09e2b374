package io.strata.loadtest.bench;

import io.strata.loadtest.ProcessCpu;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The CPU time one measured run costs, per GiB of record values moved: the started broker's JVM
 * ({@link Metric#BROKER_CPU_S_PER_GIB}, read from /proc before and after; not for a target the tool did not
 * start, or a broker that exited in the run) and this tool's own JVM, whose producer or consumer is the
 * client ({@link Metric#CLIENT_CPU_S_PER_GIB}; the JVM's other threads, progress and RSS sampling, are
 * counted with it).
 */
final class RunCpu {

    private static final double GIB = 1024.0 * 1024 * 1024;

    private final List<Long> brokerPids;
    private final double brokerStart;
    private final double clientStart;

    private RunCpu(List<Long> brokerPids) {
        this.brokerPids = brokerPids;
        this.brokerStart = brokersSeconds();
        this.clientStart = ProcessCpu.ownSeconds();
    }

    /** For a cluster, the CPU of all its broker JVMs together. */
    static RunCpu start(Target target) {
        return new RunCpu(target.brokers().stream().map(broker -> broker.process().pid())
            .filter(OptionalLong::isPresent).map(OptionalLong::getAsLong).toList());
    }

    private double brokersSeconds() {
        return brokerPids.stream().mapToDouble(ProcessCpu::seconds).sum();
    }

    /** Adds the CPU seconds per GiB of {@code bytes} moved since {@link #start} to {@code figures}. */
    void addTo(Map<Metric, Double> figures, long bytes) {
        if (bytes <= 0) {
            return;
        }
        double gib = bytes / GIB;
        figures.put(Metric.CLIENT_CPU_S_PER_GIB, Math.max(0, ProcessCpu.ownSeconds() - clientStart) / gib);
        if (!brokerPids.isEmpty()) {
            double used = brokersSeconds() - brokerStart; // in ticks of 10 ms
            figures.put(Metric.BROKER_CPU_S_PER_GIB, Math.max(0, used) / gib);
        }
    }
}
