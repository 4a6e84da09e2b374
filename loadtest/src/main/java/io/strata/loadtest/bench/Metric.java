package io.strata.loadtest.bench;

/** One figure a scenario reports, with its unit as printed and whether more is better. */
enum Metric {
    MIB_PER_SEC("MiB/s", true),
    RECORDS_PER_SEC("records/s", true),
    P50_MS("p50 ms", false),
    P99_MS("p99 ms", false),
    P999_MS("p99.9 ms", false);

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
        return !higherIsBetter;
    }
}
