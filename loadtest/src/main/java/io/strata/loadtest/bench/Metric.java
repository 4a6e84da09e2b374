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
     * tool started. On a shared 2-core machine this varies far less between runs than throughput does.
     */
    BROKER_CPU_S_PER_GIB("broker CPU s/GiB", false);

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
        return this == P50_MS || this == P99_MS || this == P999_MS;
    }
}
