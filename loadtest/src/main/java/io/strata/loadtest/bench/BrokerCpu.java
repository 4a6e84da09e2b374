package io.strata.loadtest.bench;

import io.strata.loadtest.ProcessCpu;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The CPU time a started broker's JVM uses during one measured run ({@link Metric#BROKER_CPU_S_PER_GIB}):
 * read from /proc before and after. For a target the tool did not start, or a broker that exited in the
 * run, nothing is reported.
 */
final class BrokerCpu {

    private static final double GIB = 1024.0 * 1024 * 1024;

    private final OptionalLong pid;
    private final double startSeconds;

    private BrokerCpu(OptionalLong pid) {
        this.pid = pid;
        this.startSeconds = pid.isPresent() ? ProcessCpu.seconds(pid.getAsLong()) : 0;
    }

    static BrokerCpu start(Target target) {
        return new BrokerCpu(target.started().map(broker -> broker.process().pid()).orElse(OptionalLong.empty()));
    }

    /** Adds the CPU seconds per GiB of {@code bytes} moved since {@link #start} to {@code figures}. */
    void addTo(Map<Metric, Double> figures, long bytes) {
        if (pid.isEmpty() || bytes <= 0) {
            return;
        }
        double used = ProcessCpu.seconds(pid.getAsLong()) - startSeconds; // in ticks of 10 ms
        figures.put(Metric.BROKER_CPU_S_PER_GIB, Math.max(0, used) / (bytes / GIB));
    }
}
