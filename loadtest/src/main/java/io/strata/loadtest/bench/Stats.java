package io.strata.loadtest.bench;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/** Percentiles and medians of the benchmark's figures; stateless. */
final class Stats {

    private Stats() {
    }

    /**
     * The nearest-rank percentile of {@code values} (sorted in place): the smallest value such that at least
     * {@code percent}% of the values are less than or equal to it. For 1..100, p50 is 50, p99 is 99, p99.9 is 100.
     */
    static OptionalDouble percentile(long[] values, int count, double percent) {
        if (count == 0) {
            return OptionalDouble.empty();
        }
        Arrays.sort(values, 0, count);
        // 99.9 / 100 * 1000 is 999.0000000000001 in binary floating point: without the epsilon, p99.9 of
        // 1000 values would be the largest one instead of the 999th
        int rank = (int) Math.ceil(percent * count / 100.0 - 1e-9);
        return OptionalDouble.of(values[Math.max(0, Math.min(count, rank) - 1)]);
    }

    /** The median: the middle value, or the mean of the two middle values of an even count. */
    static OptionalDouble median(List<Double> values) {
        if (values.isEmpty()) {
            return OptionalDouble.empty();
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return OptionalDouble.of(sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2);
    }
}
