package io.strata.loadtest;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The closing summary of one {@code org.apache.kafka.tools.ProducerPerformance} run, read from the
 * tool's output. Its last line looks like
 * <pre>
 * 1000000 records sent, 131061.598951 records/sec (127.99 MB/sec), 212.47 ms avg latency, 521.00 ms max latency,
 *     201 ms 50th, 380 ms 95th, 441 ms 99th, 509 ms 99.9th.
 * </pre>
 * (one line); the progress lines printed every five seconds lack the percentiles and are skipped.
 * MB is the tool's: 1024 × 1024 bytes. Latency is from {@code send()} to the acknowledgement.
 */
record ProducerRun(long records, double recordsPerSec, double mbPerSec, double avgMs, double maxMs,
                   double p50Ms, double p95Ms, double p99Ms, double p999Ms) {

    private static final Pattern SUMMARY = Pattern.compile(
        "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, "
            + "([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99\\.9th");

    /** The summary in the tool's output, or empty when the run did not finish (no summary line). */
    static Optional<ProducerRun> parse(String output) {
        Matcher matcher = SUMMARY.matcher(output);
        ProducerRun last = null;
        while (matcher.find()) {
            last = new ProducerRun(Long.parseLong(matcher.group(1)), Double.parseDouble(matcher.group(2)),
                Double.parseDouble(matcher.group(3)), Double.parseDouble(matcher.group(4)),
                Double.parseDouble(matcher.group(5)), Double.parseDouble(matcher.group(6)),
                Double.parseDouble(matcher.group(7)), Double.parseDouble(matcher.group(8)),
                Double.parseDouble(matcher.group(9)));
        }
        return Optional.ofNullable(last);
    }
}
