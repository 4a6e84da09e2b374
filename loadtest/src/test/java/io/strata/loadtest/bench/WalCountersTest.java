package io.strata.loadtest.bench;

import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WalCountersTest {

    private static final String SCRAPE = """
        # TYPE strata_wal_puts_total counter
        strata_wal_puts_total 120.0
        strata_wal_put_bytes_total 2457600.0
        strata_wal_put_errors_total 3.0
        # TYPE strata_wal_commit_latency_seconds histogram
        strata_wal_commit_latency_seconds_bucket{le="0.005",} 10.0
        strata_wal_commit_latency_seconds_bucket{le="0.01",} 90.0
        strata_wal_commit_latency_seconds_bucket{le="0.02",} 99.0
        strata_wal_commit_latency_seconds_bucket{le="0.05",} 100.0
        strata_wal_commit_latency_seconds_bucket{le="+Inf",} 100.0
        strata_wal_commit_latency_seconds_count 100.0
        """;

    @Test
    void theHistogramsBucketsAreReadByUpperBoundAndNothingElse() {
        TreeMap<Double, Double> buckets = PrometheusText.buckets(SCRAPE, WalCounters.COMMIT_LATENCY);

        assertThat(buckets).containsEntry(0.005, 10.0).containsEntry(0.01, 90.0)
            .containsEntry(Double.POSITIVE_INFINITY, 100.0).hasSize(5);
        assertThat(PrometheusText.sum(SCRAPE, WalCounters.PUTS)).isEqualTo(120.0);
        assertThat(PrometheusText.sum(SCRAPE, WalCounters.PUT_BYTES)).isEqualTo(2_457_600.0);
    }

    @Test
    void aRunsObjectSizeAndCommitPercentilesComeFromTheDifferenceOfTwoReadings() {
        WalCounters before = new WalCounters(20, 409_600, PrometheusText.buckets("""
            strata_wal_commit_latency_seconds_bucket{le="0.005",} 10.0
            strata_wal_commit_latency_seconds_bucket{le="0.01",} 10.0
            strata_wal_commit_latency_seconds_bucket{le="0.02",} 10.0
            strata_wal_commit_latency_seconds_bucket{le="0.05",} 10.0
            strata_wal_commit_latency_seconds_bucket{le="+Inf",} 10.0
            """, WalCounters.COMMIT_LATENCY));
        WalCounters after = new WalCounters(120, 2_457_600, PrometheusText.buckets(SCRAPE, WalCounters.COMMIT_LATENCY));

        WalCounters run = after.since(before);

        assertThat(run.puts()).isEqualTo(100);
        assertThat(run.meanObjectBytes()).hasValue(20_480.0);
        // 90 commits of the run: 80 in (5 ms, 10 ms], 9 in (10, 20], 1 in (20, 50]; the 99th (rank 89.1) in the last
        assertThat(run.commitQuantileMs(0.5).getAsDouble()).isCloseTo(5 + 5 * 45.0 / 80, within(1e-9));
        assertThat(run.commitQuantileMs(0.99).getAsDouble()).isCloseTo(20 + 30 * (89.1 - 89) / 1, within(1e-9));
    }

    @Test
    void noCommitsMeansNoPercentile() {
        WalCounters none = new WalCounters(0, 0, new TreeMap<>());

        assertThat(none.commitQuantileMs(0.99)).isEmpty();
        assertThat(none.meanObjectBytes()).isEmpty();
    }
}
