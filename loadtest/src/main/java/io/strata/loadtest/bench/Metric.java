package io.strata.loadtest.bench;

/** One figure a scenario reports, with its unit as printed and whether more is better. */
enum Metric {
    MIB_PER_SEC("MiB/s", true),
    RECORDS_PER_SEC("records/s", true),
    P50_MS("p50 ms", false),
    P99_MS("p99 ms", false),
    P999_MS("p99.9 ms", false),
    /**
     * CPU seconds the broker's JVM used per GiB of record values moved in the run (user plus system, from
     * /proc; its child processes, such as Strata's embedded S3 server, are not counted). Only for brokers the
     * tool started. It shows whether a broker was slow because it was busy or because it waited. After the
     * warm-up it still moves by up to about 1.5x between rounds on a shared 2-core machine.
     */
    BROKER_CPU_S_PER_GIB("broker CPU s/GiB", false),
    /**
     * CPU seconds this tool's JVM (the producer or consumer of the run) used per GiB of record values: on a
     * machine the client shares with the broker, what the client takes is not the broker's.
     */
    CLIENT_CPU_S_PER_GIB("client CPU s/GiB", false),
    /**
     * A Strata cluster's WAL commit latency during produce-latency, from its brokers' histogram
     * {@code strata_wal_commit_latency_seconds} (first append gathered into an object to its commit in the database).
     */
    WAL_COMMIT_P50_MS("WAL commit p50 ms", false),
    WAL_COMMIT_P99_MS("WAL commit p99 ms", false),
    /** The mean size of the WAL objects a Strata cluster PUT during produce-latency. */
    WAL_OBJECT_KIB("WAL object KiB", false),
    /** WAL objects PUT per second by the whole Strata cluster during produce-latency. */
    WAL_PUTS_PER_SEC("WAL PUTs/s", false);

    private final String label;
    private final boolean higherIsBetter;

    Metric(String label, boolean higherIsBetter) {
        this.label = label;
        this.higherIsBetter = higherIsBetter;
    }

    String label() {
        return label;
    }

    boolean higherIsBetter() {
        return higherIsBetter;
    }

    boolean isLatency() {
        return this == P50_MS || this == P99_MS || this == P999_MS || this == WAL_COMMIT_P50_MS
            || this == WAL_COMMIT_P99_MS;
    }
}
