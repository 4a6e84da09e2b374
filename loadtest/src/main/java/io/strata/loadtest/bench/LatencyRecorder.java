package io.strata.loadtest.bench;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Latencies of one run in nanoseconds, every sample kept (8 bytes each: 8 MB per million records), so that
 * the percentiles are exact. Thread-safe: the producer's I/O thread records while the driver reads the count.
 */
final class LatencyRecorder {

    private long[] samples = new long[1024];
    private int count;

    synchronized void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[count++] = nanos;
    }

    synchronized int count() {
        return count;
    }

    /** p50, p99 and p99.9 in milliseconds; empty when nothing was recorded. */
    synchronized Map<Metric, Double> percentilesMs() {
        Map<Metric, Double> figures = new EnumMap<>(Metric.class);
        put(figures, Metric.P50_MS, 50);
        put(figures, Metric.P99_MS, 99);
        put(figures, Metric.P999_MS, 99.9);
        return figures;
    }

    private void put(Map<Metric, Double> figures, Metric metric, double percent) {
        Stats.percentile(samples, count, percent).ifPresent(nanos -> figures.put(metric, nanos / 1_000_000.0));
    }
}
