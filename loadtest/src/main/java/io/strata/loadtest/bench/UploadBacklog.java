package io.strata.loadtest.bench;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The bytes of sealed segments a Strata broker has not copied to the bucket yet, read from its
 * {@code /metrics} ({@value #METRIC}, summed over partitions). Before each measured run the benchmark waits
 * for this backlog to drain, as it waits for the page cache's writeback ({@code sync}): a segment sealed in
 * one run is uploaded in the background, and without the wait its upload would be charged to whichever run
 * comes next. A run still pays for the uploads of the segments it seals itself.
 */
final class UploadBacklog {

    static final String METRIC = "kafka_server_brokertopicmetrics_remote_copy_lag_bytes";

    private final int httpPort;

    UploadBacklog(int httpPort) {
        this.httpPort = httpPort;
    }

    /** The backlog now, or empty when the endpoint does not answer. */
    OptionalLong bytes() {
        return PrometheusText.scrape(httpPort).map(text -> OptionalLong.of(sum(text))).orElse(OptionalLong.empty());
    }

    /** Waits until the backlog is zero, the endpoint stops answering, or {@code timeout} passes; returns the last reading. */
    OptionalLong awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        OptionalLong backlog = bytes();
        while (backlog.isPresent() && backlog.getAsLong() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(500); // the broker's copy task runs every second in the benchmark's configuration
            backlog = bytes();
        }
        return backlog;
    }

    /** The sum of the metric's samples in Prometheus text (lines {@code name{labels} value}). */
    static long sum(String prometheusText) {
        return (long) PrometheusText.sum(prometheusText, METRIC);
    }
}
