package io.strata.loadtest.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatsTest {

    @Test
    void percentileIsTheNearestRankOfTheSortedValues() {
        long[] values = new long[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = values.length - i; // 1000 down to 1, unsorted on purpose
        }

        assertThat(Stats.percentile(values, 1000, 50)).hasValue(500);
        assertThat(Stats.percentile(values, 1000, 99)).hasValue(990);
        assertThat(Stats.percentile(values, 1000, 99.9)).hasValue(999);
        assertThat(Stats.percentile(values, 1000, 100)).hasValue(1000);
    }

    @Test
    void percentileOfFewValuesIsOneOfThem() {
        assertThat(Stats.percentile(new long[] {7, 3, 5}, 3, 50)).hasValue(5);
        assertThat(Stats.percentile(new long[] {7, 3, 5}, 3, 99.9)).hasValue(7);
        assertThat(Stats.percentile(new long[] {42}, 1, 0.1)).hasValue(42);
    }

    @Test
    void percentileReadsOnlyTheCountedValues() {
        assertThat(Stats.percentile(new long[] {1, 2, 0, 0}, 2, 100)).hasValue(2);
        assertThat(Stats.percentile(new long[8], 0, 50)).isEmpty();
    }

    @Test
    void medianOfOddAndEvenCountsAndOfNothing() {
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0))).hasValue(2.0);
        assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 2.0))).hasValue(2.5);
        assertThat(Stats.median(List.of())).isEmpty();
    }

    @Test
    void latencyRecorderReportsMillisecondPercentiles() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int i = 1; i <= 2000; i++) { // more than the initial capacity, 1 ms to 2000 ms
            recorder.record(i * 1_000_000L);
        }

        Map<Metric, Double> percentiles = recorder.percentilesMs();

        assertThat(recorder.count()).isEqualTo(2000);
        assertThat(percentiles.get(Metric.P50_MS)).isCloseTo(1000.0, within(1e-9));
        assertThat(percentiles.get(Metric.P99_MS)).isCloseTo(1980.0, within(1e-9));
        assertThat(percentiles.get(Metric.P999_MS)).isCloseTo(1998.0, within(1e-9));
    }

    @Test
    void emptyLatencyRecorderHasNoPercentiles() {
        assertThat(new LatencyRecorder().percentilesMs()).isEmpty();
    }
}
