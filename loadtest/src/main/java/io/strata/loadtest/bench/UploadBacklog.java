package io.strata.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI metrics;

    UploadBacklog(int httpPort) {
        this.metrics = URI.create("http://127.0.0.1:" + httpPort + "/metrics");
    }

    /** The backlog now, or empty when the endpoint does not answer. */
    OptionalLong bytes() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics)
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? OptionalLong.of(sum(response.body())) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalLong.empty();
        }
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
        double total = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(METRIC + "{") || line.startsWith(METRIC + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) total;
    }
}
