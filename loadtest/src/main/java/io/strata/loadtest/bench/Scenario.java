package io.strata.loadtest.bench;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The named scenarios, in the order a round runs them: the produce runs first, wal-path right after the
 * produce-latency run whose WAL objects it imitates, consume-hot reads what produce-acks-all wrote, and
 * catchup-cold, which restarts Strata, comes last.
 */
enum Scenario {
    PRODUCE_ACKS_ALL("produce-acks-all", "unthrottled producer, acks=all",
        List.of(Metric.MIB_PER_SEC, Metric.RECORDS_PER_SEC, Metric.P99_MS, Metric.BROKER_CPU_S_PER_GIB,
            Metric.CLIENT_CPU_S_PER_GIB)),
    PRODUCE_ACKS_1("produce-acks-1", "unthrottled producer, acks=1",
        List.of(Metric.MIB_PER_SEC, Metric.RECORDS_PER_SEC, Metric.P99_MS, Metric.BROKER_CPU_S_PER_GIB,
            Metric.CLIENT_CPU_S_PER_GIB)),
    PRODUCE_LATENCY("produce-latency", "producer at a fixed rate, send() to acknowledgement",
        List.of(Metric.P50_MS, Metric.P99_MS, Metric.P999_MS)),
    WAL_PATH("wal-path", "Strata cluster only: a bare PUT of the WAL object size produce-latency measured, then one"
        + " database commit (the physical limit of the WAL path); beside it the brokers' WAL commit latency in"
        + " produce-latency",
        List.of(Metric.P50_MS, Metric.P99_MS, Metric.P999_MS, Metric.WAL_COMMIT_P50_MS, Metric.WAL_COMMIT_P99_MS,
            Metric.WAL_OBJECT_KIB, Metric.WAL_PUTS_PER_SEC)),
    CONSUME_HOT("consume-hot", "one consumer reads the records produce-acks-all just wrote (page cache)",
        List.of(Metric.MIB_PER_SEC, Metric.RECORDS_PER_SEC, Metric.BROKER_CPU_S_PER_GIB,
            Metric.CLIENT_CPU_S_PER_GIB)),
    E2E_LATENCY("e2e-latency", "producer at a fixed rate to a consumer, timestamp in the record",
        List.of(Metric.P50_MS, Metric.P99_MS, Metric.P999_MS)),
    CATCHUP_COLD("catchup-cold", "records only in the bucket, broker restarted (cold cache), read from offset 0",
        List.of(Metric.MIB_PER_SEC, Metric.RECORDS_PER_SEC));

    private final String id;
    private final String description;
    private final List<Metric> metrics;

    Scenario(String id, String description, List<Metric> metrics) {
        this.id = id;
        this.description = description;
        this.metrics = metrics;
    }

    String id() {
        return id;
    }

    String description() {
        return description;
    }

    /** The figures the table, the summary and the chart show for this scenario. */
    List<Metric> metrics() {
        return metrics;
    }

    static Scenario byId(String id) {
        return Arrays.stream(values()).filter(scenario -> scenario.id.equals(id.trim())).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("unknown scenario " + id + "; known: " + allIds()));
    }

    static String allIds() {
        return Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(","));
    }
}
