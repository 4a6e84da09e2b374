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
    CLIENT_CPU_S_PER_GIB("client CPU s/GiB", false);

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
