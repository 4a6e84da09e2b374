package io.strata.broker.metrics;

import static io.strata.broker.metrics.RemoteTierMeters.counter;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.strata.tiering.wal.WalMetrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The write-ahead log's counters ({@link WalMetrics}, kept by the tiering module), exposed as function counters and
 * gauges read at scrape time, and its commit latency as a histogram fed by {@link WalMetrics#onCommitLatency}.
 * Broker-wide (no labels). Names in {@link BrokerMetrics}.
 */
final class WalMeters {

    static final String PUTS = "strata.wal.puts";
    static final String PUT_BYTES = "strata.wal.put.bytes";
    static final String PUT_ERRORS = "strata.wal.put.errors";
    static final String COMMITS = "strata.wal.commits";
    static final String COMMIT_ERRORS = "strata.wal.commit.errors";
    static final String FENCED_RANGES = "strata.wal.fenced.ranges";
    static final String IN_FLIGHT = "strata.wal.objects.in.flight";
    static final String FILL_RATIO = "strata.wal.linger.fill.ratio";
    static final String COMMIT_LATENCY = "strata.wal.commit.latency";

    private WalMeters() {
    }

    static void bind(MeterRegistry registry, WalMetrics metrics) {
        counter(registry, PUTS, metrics, WalMetrics::puts, "WAL objects PUT to the bucket (retries not counted)");
        counter(registry, PUT_BYTES, metrics, WalMetrics::putBytes, "Bytes of the WAL objects PUT");
        counter(registry, PUT_ERRORS, metrics, WalMetrics::putErrors,
                "Failed WAL PUT attempts, each retried with the same bytes and key");
        counter(registry, COMMITS, metrics, WalMetrics::commits, "WAL objects committed to the metadata database");
        counter(registry, COMMIT_ERRORS, metrics, WalMetrics::commitErrors,
                "Failed WAL commit attempts, each retried with the same commit");
        counter(registry, FENCED_RANGES, metrics, WalMetrics::fencedRanges,
                "WAL ranges the database refused because the partition's leadership moved (their appends failed)");
        Gauge.builder(IN_FLIGHT, metrics, WalMetrics::inFlight).strongReference(true)
                .description("WAL objects being written or committed now").register(registry);
        Gauge.builder(FILL_RATIO, metrics, WalMetrics::meanFillRatio).strongReference(true)
                .description("Mean fill of the WAL objects written, as a fraction of wal.batch.bytes (1: full)")
                .register(registry);
        Timer latency = Timer.builder(COMMIT_LATENCY).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .description("From the first append gathered into a WAL object to its commit in the database")
                .register(registry);
        metrics.onCommitLatency(nanos -> latency.record(nanos, TimeUnit.NANOSECONDS));
    }
}
