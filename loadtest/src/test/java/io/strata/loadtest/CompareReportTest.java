package io.strata.loadtest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The parsing and arithmetic of compare.sh's report, on tool output written by hand; starts no broker. */
class CompareReportTest {

    private static final String PRODUCER_OUTPUT = """
        612345 records sent, 122469.0 records/sec (119.60 MB/sec), 230.1 ms avg latency, 612.0 ms max latency.
        1000000 records sent, 125000.000000 records/sec (122.07 MB/sec), 210.50 ms avg latency, 640.00 ms max latency, \
        200 ms 50th, 380 ms 95th, 450 ms 99th, 600 ms 99.9th.
        """;

    @Test
    void producerSummaryIsTheLineWithPercentilesNotAProgressLine() {
        ProducerRun run = ProducerRun.parse(PRODUCER_OUTPUT).orElseThrow();

        assertThat(run.records()).isEqualTo(1_000_000);
        assertThat(run.mbPerSec()).isEqualTo(122.07);
        assertThat(run.recordsPerSec()).isEqualTo(125_000.0);
        assertThat(run.p50Ms()).isEqualTo(200);
        assertThat(run.p99Ms()).isEqualTo(450);
        assertThat(run.maxMs()).isEqualTo(640);
    }

    @Test
    void unfinishedProducerRunHasNoSummary() {
        assertThat(ProducerRun.parse(PRODUCER_OUTPUT.lines().findFirst().orElseThrow())).isEmpty();
    }

    @Test
    void assignConsumerPerfPrintsWhatConsumerRunReadsBack() {
        String output = AssignConsumerPerf.HEADER + "\n"
            + AssignConsumerPerf.summaryLine(10_000, 12_500, 1_024L * 1_024 * 500, 512_000) + "\n";

        ConsumerRun run = ConsumerRun.parse(output).orElseThrow();

        assertThat(run.mbPerSec()).isEqualTo(200.0);
        assertThat(run.records()).isEqualTo(512_000);
        assertThat(run.recordsPerSec()).isEqualTo(204_800.0);
    }

    @Test
    void reportShowsMediansRatiosAndFailedRunsAsNotAvailable(@TempDir Path raw) throws IOException {
        double[] kafkaMb = {100, 120, 110};
        double[] strataMb = {60, 50, 55};
        for (int round = 1; round <= 3; round++) {
            Files.writeString(raw.resolve("kafka-r" + round + "-produce.txt"), producer(kafkaMb[round - 1]));
            Files.writeString(raw.resolve("strata-r" + round + "-produce.txt"), producer(strataMb[round - 1]));
            Files.writeString(raw.resolve("kafka-r" + round + "-consume.txt"),
                AssignConsumerPerf.summaryLine(0, 1_000, 1_024L * 1_024 * 300, 300 * 1_024));
        }
        Files.writeString(raw.resolve("strata-r1-consume.txt"), "java.lang.RuntimeException: broker gone\n");

        String report = CompareReport.render(raw, 3);

        assertThat(report).contains("| Apache Kafka 4.1.2 | 110.0 |");
        assertThat(report).contains("| Strata | 55.0 |");
        assertThat(report).contains("| **Strata / Kafka** | 0.50 |");
        assertThat(report).contains("| 1 | Strata | 60.0 | 450.0 | n/a | n/a | n/a | n/a |");
        assertThat(report).contains("| 3 | Apache Kafka 4.1.2 | 110.0 | 450.0 | n/a | n/a | 300.0 | 307200 |");
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(CompareReport.median(java.util.List.of(
            java.util.Optional.of(4.0), java.util.Optional.of(1.0), java.util.Optional.<Double>empty(),
            java.util.Optional.of(2.0), java.util.Optional.of(10.0)), Double::doubleValue)).isEqualTo(3.0);
    }

    private static String producer(double mbPerSec) {
        return String.format(java.util.Locale.ROOT, "1000 records sent, 1000.0 records/sec (%.2f MB/sec), 5.00 ms avg latency, "
            + "9.00 ms max latency, 4 ms 50th, 6 ms 95th, 450 ms 99th, 8 ms 99.9th.%n", mbPerSec);
    }
}
