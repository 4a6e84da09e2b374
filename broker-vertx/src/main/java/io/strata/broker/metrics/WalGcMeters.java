package io.strata.broker.metrics;

import static io.strata.broker.metrics.RemoteTierMeters.counter;

import io.micrometer.core.instrument.MeterRegistry;
import io.strata.tiering.wal.WalGcMetrics;

/**
 * The write-ahead log's garbage collection ({@link WalGcMetrics}: the controller's passes in a cluster, the chain's
 * low end in single-broker mode), as function counters read at scrape time. Broker-wide. Names in
 * {@link BrokerMetrics}.
 */
final class WalGcMeters {

    static final String OBJECTS = "strata.wal.gc.objects.collected";
    static final String ORPHANS = "strata.wal.gc.orphans.collected";
    static final String REVOKED = "strata.wal.gc.writers.revoked";
    static final String FAILED = "strata.wal.gc.failed.passes";

    private WalGcMeters() {
    }

    static void bind(MeterRegistry registry, WalGcMetrics metrics) {
        counter(registry, OBJECTS, metrics, WalGcMetrics::objectsCollected,
                "WAL objects deleted once uploaded segments covered every range in them (or their topic was deleted)");
        counter(registry, ORPHANS, metrics, WalGcMetrics::orphansCollected,
                "WAL objects deleted that no commit recorded (their writer died before committing them)");
        counter(registry, REVOKED, metrics, WalGcMetrics::writersRevoked,
                "Dead broker incarnations revoked as WAL writers before their objects were collected");
        counter(registry, FAILED, metrics, WalGcMetrics::failedPasses,
                "Garbage-collection passes stopped by a failure of the bucket or the database (the next resumes)");
    }
}
