package io.strata.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads a broker's {@code /metrics} (Prometheus text format: lines {@code name{labels} value}, comments starting
 * with {@code #}): fetches it, sums a metric's samples, and gathers a histogram's cumulative buckets.
 */
final class PrometheusText {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusText() {
    }

    /** The text of {@code http://127.0.0.1:<port>/metrics}, or empty when it does not answer with 200. */
    static Optional<String> scrape(int httpPort) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/metrics")).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The sum of the samples of {@code metric} (every label set), 0 when there is none. */
    static double sum(String text, String metric) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                total += value(line);
            }
        }
        return total;
    }

    /**
     * The cumulative counts of histogram {@code metric}'s buckets ({@code <metric>_bucket{...,le="0.005",...} 12}),
     * by upper bound in the metric's unit ({@code +Inf} as {@link Double#POSITIVE_INFINITY}), summed over label sets.
     */
    static TreeMap<Double, Double> buckets(String text, String metric) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        String prefix = metric + "_bucket{";
        for (String line : text.split("\n")) {
            if (!line.startsWith(prefix)) {
                continue;
            }
            int le = line.indexOf("le=\"");
            if (le < 0) {
                continue;
            }
            String bound = line.substring(le + 4, line.indexOf('"', le + 4));
            double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
            buckets.merge(upper, value(line), Double::sum);
        }
        return buckets;
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
