package io.strata.loadtest.bench;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The write-ahead log's counters of a Strata cluster, summed over its brokers' {@code /metrics}: WAL objects PUT
 * ({@value #PUTS}), their bytes ({@value #PUT_BYTES}) and the cumulative buckets of the commit latency histogram
 * ({@value #COMMIT_LATENCY}, seconds; from the first append gathered into an object to its commit in the
 * database). Two readings, before and after a run, give the run's average object size, its PUT rate and its commit
 * latency percentiles ({@link #since}).
 *
 * @param puts          WAL objects PUT
 * @param putBytes      bytes of those objects
 * @param commitBuckets cumulative count per upper bound in seconds (+Inf included)
 */
record WalCounters(double puts, double putBytes, TreeMap<Double, Double> commitBuckets) {

    static final String PUTS = "strata_wal_puts_total";
    static final String PUT_BYTES = "strata_wal_put_bytes_total";
    static final String COMMIT_LATENCY = "strata_wal_commit_latency_seconds";

    /** Summed over the brokers on {@code httpPorts}; a broker whose endpoint does not answer counts nothing. */
    static WalCounters read(List<Integer> httpPorts) {
        double puts = 0;
        double bytes = 0;
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (int port : httpPorts) {
            String text = PrometheusText.scrape(port).orElse("");
            puts += PrometheusText.sum(text, PUTS);
            bytes += PrometheusText.sum(text, PUT_BYTES);
            PrometheusText.buckets(text, COMMIT_LATENCY).forEach((le, count) -> buckets.merge(le, count, Double::sum));
        }
        return new WalCounters(puts, bytes, buckets);
    }

    /** What happened between {@code before} and this reading. */
    WalCounters since(WalCounters before) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (Map.Entry<Double, Double> bucket : commitBuckets.entrySet()) {
            buckets.put(bucket.getKey(), bucket.getValue() - before.commitBuckets.getOrDefault(bucket.getKey(), 0.0));
        }
        return new WalCounters(puts - before.puts, putBytes - before.putBytes, buckets);
    }

    /** Mean bytes per WAL object, empty when none was PUT. */
    OptionalDouble meanObjectBytes() {
        return puts > 0 ? OptionalDouble.of(putBytes / puts) : OptionalDouble.empty();
    }

    /**
     * The commit latency at quantile {@code q} in milliseconds, interpolated linearly within the bucket where the
     * cumulative count reaches {@code q} of the total (Prometheus' histogram_quantile); empty without commits or
     * when it falls in the +Inf bucket.
     */
    OptionalDouble commitQuantileMs(double q) {
        double total = commitBuckets.isEmpty() ? 0 : commitBuckets.lastEntry().getValue();
        if (total <= 0) {
            return OptionalDouble.empty();
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> bucket : commitBuckets.entrySet()) {
            if (bucket.getValue() >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return OptionalDouble.empty();
                }
                double inBucket = bucket.getValue() - lowerCount;
                double fraction = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
                return OptionalDouble.of((lowerBound + (bucket.getKey() - lowerBound) * fraction) * 1000);
            }
            lowerBound = bucket.getKey();
            lowerCount = bucket.getValue();
        }
        return OptionalDouble.empty();
    }
}
