package io.strata.faults.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * The results table of a fault run, {@code <results dir>/campaign-results.md} (the results dir is the system
 * property {@code faults.results.dir}, {@code fault-suite/target} under Maven). Each fault test
 * {@link #record records} its row as a file {@code campaign-rows/<name>.row} holding one Markdown table row;
 * the table is rewritten from all row files after each. Other tools add rows the same way (the fuzzer: a file
 * {@code campaign-rows/fuzz-<target>.row} with the same columns, {@code fuzz inputs run} filled in).
 */
public final class CampaignReport {

    private CampaignReport() {}

    public static Path resultsDir() {
        return Path.of(System.getProperty("faults.results.dir", "target"));
    }

    public static boolean campaign() {
        return Boolean.getBoolean("faults.campaign");
    }

    public static synchronized void record(String name, ResultRow row) {
        Path rows = resultsDir().resolve("campaign-rows");
        try {
            Files.createDirectories(rows);
            Files.writeString(rows.resolve(name + ".row"), row.markdown() + "\n", StandardCharsets.UTF_8);
            writeTable(rows, resultsDir().resolve("campaign-results.md"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the results table under " + resultsDir(), e);
        }
    }

    private static void writeTable(Path rows, Path table) throws IOException {
        List<String> lines;
        try (Stream<Path> files = Files.list(rows)) {
            lines = files.filter(f -> f.toString().endsWith(".row")).sorted().map(CampaignReport::read)
                    .map(String::strip).toList();
        }
        String text = "# Fault-injection results (" + (campaign() ? "long campaign" : "short version") + ", "
                + Instant.now() + ")\n\n" + ResultRow.HEADER + "\n" + String.join("\n", lines) + "\n";
        Files.writeString(table, text, StandardCharsets.UTF_8);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
