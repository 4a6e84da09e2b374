package io.strata.loadtest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The wal-path scenario: runs {@code io.strata.loadtest.WalPathProbe} in a JVM of its own (the broker jar on its
 * classpath, the cluster's {@code STRATA_S3_*} settings in its environment) against the S3 endpoint and the database of
 * a Strata cluster, with the mean object size, the PUT rate and the number of objects the cluster's brokers wrote in
 * the produce-latency run just before (at least {@value #MIN_OPERATIONS} operations), and reports the probe's
 * percentiles of PUT plus commit beside the brokers' own WAL commit latency of that run.
 */
final class WalPathRun {

    static final int MIN_OPERATIONS = 500;
    private static final Pattern FIGURE = Pattern.compile("(\\w+)=([0-9.]+)");
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private WalPathRun() {
    }

    /**
     * @param fixedRate the cluster's WAL counters over the produce-latency run, and its length in seconds
     * @param partitions partitions of the benchmark's topics (each WAL object holds the ranges of one broker's)
     */
    static Map<Metric, Double> run(Target target, WalCounters fixedRate, double seconds, int partitions, Path logDir,
                                   Progress progress, String label) throws IOException, InterruptedException {
        WalStores stores = target.walStores().orElseThrow();
        if (fixedRate.puts() <= 0 || seconds <= 0) {
            throw new IllegalStateException("the produce-latency run before wrote no WAL object (is wal.enable on?)");
        }
        int objectBytes = (int) Math.round(fixedRate.meanObjectBytes().orElseThrow());
        double putsPerSecond = fixedRate.puts() / seconds;
        int operations = (int) Math.max(MIN_OPERATIONS, fixedRate.puts());
        int writers = target.brokers().size();
        int ranges = Math.max(1, partitions / writers);
        List<String> command = new ArrayList<>(List.of(BrokerLauncher.java(), "-Xmx256m", "-cp",
            stores.probeClasspath(), "io.strata.loadtest.WalPathProbe", "--jdbc-url", stores.jdbcUrl(), "--user",
            stores.databaseUser(), "--object-bytes", Integer.toString(objectBytes), "--rate",
            String.format(Locale.ROOT, "%.3f", putsPerSecond), "--count", Integer.toString(operations), "--writers",
            Integer.toString(writers), "--ranges", Integer.toString(ranges)));
        Map<String, String> environment = new HashMap<>(Map.of(
            "STRATA_S3_ENDPOINT", stores.s3Endpoint().toString(),
            "STRATA_S3_BUCKET", stores.bucket(),
            "STRATA_S3_ACCESS_KEY", stores.accessKey(),
            "STRATA_S3_SECRET_KEY", stores.secretKey(),
            "STRATA_S3_REGION", stores.region(),
            "STRATA_S3_PATH_STYLE", "true",
            "STRATA_S3_PREFIX", stores.prefix()));
        progress.say(String.format(Locale.ROOT, "%s: %d PUT+commit of %d bytes at %.0f/s over %d writers (%d ranges"
            + " each)", label, operations, objectBytes, putsPerSecond, writers, ranges));
        Path log = logDir.resolve("wal-path-probe.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        Process probe = builder.start();
        StartedProcesses.register(probe);
        try {
            if (!probe.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || probe.exitValue() != 0) {
                throw new IOException("the wal-path probe failed or did not finish in " + TIMEOUT.toMinutes()
                    + " minutes; its output is in " + log);
            }
        } finally {
            StartedProcesses.stop(probe, Duration.ofSeconds(5));
        }
        String output = Files.readString(log).substring((int) logStart);
        String line = output.lines().filter(l -> l.startsWith("probe ")).reduce((a, b) -> b)
            .orElseThrow(() -> new IOException("the wal-path probe printed no result; see " + log));
        progress.say("  " + target.name() + " wal-path " + line);
        Map<String, Double> values = new HashMap<>();
        Matcher matcher = FIGURE.matcher(line);
        while (matcher.find()) {
            values.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        }
        Map<Metric, Double> figures = new EnumMap<>(Metric.class);
        figures.put(Metric.P50_MS, values.get("p50"));
        figures.put(Metric.P99_MS, values.get("p99"));
        figures.put(Metric.P999_MS, values.get("p999"));
        fixedRate.commitQuantileMs(0.5).ifPresent(ms -> figures.put(Metric.WAL_COMMIT_P50_MS, ms));
        fixedRate.commitQuantileMs(0.99).ifPresent(ms -> figures.put(Metric.WAL_COMMIT_P99_MS, ms));
        figures.put(Metric.WAL_OBJECT_KIB, objectBytes / 1024.0);
        figures.put(Metric.WAL_PUTS_PER_SEC, putsPerSecond);
        return figures;
    }
}
