package io.strata.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples the resident memory of the brokers the tool started, every half second, from
 * {@code /proc/<pid>/status}: the peak of the broker JVM is the largest {@code VmHWM} seen (the kernel's own
 * high-water mark, so nothing between samples is missed; a restarted broker is a new process, and the
 * larger of the two counts), and the peak with its child processes (Strata's embedded S3 server) is the
 * largest sampled sum of {@code VmRSS}. For a cluster, both are the sums over its broker JVMs (the peaks of
 * {@code VmHWM} need not have been at the same time, so their sum is an upper bound). Issue 5's goal is a Strata RSS of at most 1 GiB. On a system
 * without /proc the figures stay empty. Thread-safe.
 */
final class RssSampler implements AutoCloseable {

    private static final Pattern FIELD = Pattern.compile("^(VmHWM|VmRSS):\\s+(\\d+) kB", Pattern.MULTILINE);

    private final Map<String, List<StartedBroker>> brokers;
    private final Map<String, Long> peakKib = new ConcurrentHashMap<>();
    private final Map<String, Long> peakTreeKib = new ConcurrentHashMap<>();
    private final Thread thread;

    /** @param brokers the broker JVMs of each system: one, or a cluster's, whose figures are summed */
    RssSampler(Map<String, List<StartedBroker>> brokers) {
        this.brokers = Map.copyOf(brokers);
        this.thread = new Thread(this::loop, "rss-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Takes one sample of every running broker now (also called before a broker is stopped). */
    void sample() {
        brokers.forEach((system, members) -> {
            long hwm = 0;
            long tree = 0;
            for (StartedBroker broker : members) {
                OptionalLong pid = broker.process().pid();
                if (pid.isEmpty()) {
                    continue;
                }
                hwm += status(pid.getAsLong(), "VmHWM").orElse(0);
                tree += status(pid.getAsLong(), "VmRSS").orElse(0) + ProcessHandle.of(pid.getAsLong()).stream()
                    .flatMap(ProcessHandle::descendants).mapToLong(child -> status(child.pid(), "VmRSS").orElse(0))
                    .sum();
            }
            if (hwm > 0) {
                peakKib.merge(system, hwm, Math::max);
            }
            if (tree > 0) {
                peakTreeKib.merge(system, tree, Math::max);
            }
        });
    }

    OptionalDouble peakMiB(String system) {
        Long kib = peakKib.get(system);
        return kib == null ? OptionalDouble.empty() : OptionalDouble.of(kib / 1024.0);
    }

    OptionalDouble peakTreeMiB(String system) {
        Long kib = peakTreeKib.get(system);
        return kib == null ? OptionalDouble.empty() : OptionalDouble.of(kib / 1024.0);
    }

    /** A field of {@code /proc/<pid>/status} in KiB. */
    static OptionalLong status(long pid, String field) {
        try {
            Matcher matcher = FIELD.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
            while (matcher.find()) {
                if (matcher.group(1).equals(field)) {
                    return OptionalLong.of(Long.parseLong(matcher.group(2)));
                }
            }
            return OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty(); // the process ended between two samples, or no /proc here
        }
    }

    private void loop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                sample();
                Thread.sleep(500); // a fixed sampling period
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        sample();
    }
}
