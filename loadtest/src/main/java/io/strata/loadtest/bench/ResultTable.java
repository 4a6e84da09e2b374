package io.strata.loadtest.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The summary as a Markdown table (readable in a terminal, in CI logs and on GitHub): one row per scenario
 * and metric, one column per system with the median over the rounds, and a Strata/Kafka column when both
 * ran, followed by the ratio of each round. A missing cell reads {@code n/a} or {@code failed}, and its
 * reason is listed under the table.
 */
final class ResultTable {

    private ResultTable() {
    }

    static String render(Summary summary, List<SystemReport> systems) {
        List<String> header = new ArrayList<>(List.of("scenario", "metric"));
        header.addAll(summary.systems());
        if (summary.hasRatio()) {
            header.add(summary.ratioLabel().orElseThrow());
            header.add("per round");
        }
        List<List<String>> lines = new ArrayList<>();
        Set<String> notes = new LinkedHashSet<>();
        for (Summary.Row row : summary.rows()) {
            List<String> line = new ArrayList<>(List.of(row.scenario().id(), row.metric().label()));
            row.cells().forEach((system, cell) -> {
                line.add(cell.median().isPresent() ? number(row.metric(), cell.median().getAsDouble())
                    : cell.missing().map(why -> why.startsWith("failed") ? "failed" : "n/a").orElse("n/a"));
                cell.missing().ifPresent(why -> notes.add(row.scenario().id() + " on " + system + ": " + why));
            });
            if (summary.hasRatio()) {
                line.add(ratio(row.ratio()));
                line.add(row.roundRatios().stream().map(value -> ratio(OptionalDouble.of(value)))
                    .collect(Collectors.joining(" ")));
            }
            lines.add(line);
        }
        StringBuilder out = new StringBuilder();
        row(out, header);
        row(out, header.stream().map(column -> "---").toList());
        lines.forEach(line -> row(out, line));
        if (summary.hasRatio()) {
            out.append('\n').append(summary.ratioLabel().orElseThrow())
                .append(" divides Strata's median by Kafka's: above 1 is better for MiB/s and")
                .append(" records/s, worse for latencies and CPU seconds per GiB. per round divides the two")
                .append(" systems' figures of each round, in round order.\n");
        }
        List<String> goals = ClusterGoals.check(summary);
        if (!goals.isEmpty()) {
            out.append("\nGoals of issue 15 (medians; reported, not asserted):\n");
            goals.forEach(goal -> out.append(goal).append('\n'));
        }
        for (SystemReport system : systems) {
            boolean cluster = system.kind().contains("cluster");
            system.peakRssMiB().ifPresent(rss -> out.append(String.format(Locale.ROOT,
                cluster ? "%nPeak RSS of %s's brokers: %.0f MiB (sum of their JVMs' VmHWM)%s"
                    : "%nPeak RSS of %s's broker: %.0f MiB (VmHWM of its JVM)%s", system.name(), rss,
                system.peakTreeRssMiB().isPresent()
                    ? String.format(Locale.ROOT, "; %.0f MiB with its child processes (sampled VmRSS)",
                        system.peakTreeRssMiB().getAsDouble())
                    : "")));
        }
        if (systems.stream().anyMatch(system -> system.peakRssMiB().isPresent())) {
            out.append('\n');
        }
        notes.forEach(note -> out.append('\n').append("- ").append(note));
        if (!notes.isEmpty()) {
            out.append('\n');
        }
        return out.toString();
    }

    static String number(Metric metric, double value) {
        return switch (metric) {
            case MIB_PER_SEC, WAL_OBJECT_KIB -> String.format(Locale.ROOT, "%.1f", value);
            case RECORDS_PER_SEC, WAL_PUTS_PER_SEC -> String.format(Locale.ROOT, "%.0f", value);
            case P50_MS, P99_MS, P999_MS, BROKER_CPU_S_PER_GIB, CLIENT_CPU_S_PER_GIB, WAL_COMMIT_P50_MS,
                 WAL_COMMIT_P99_MS ->
                String.format(Locale.ROOT, "%.2f", value);
        };
    }

    static String ratio(OptionalDouble ratio) {
        return ratio.isPresent() ? String.format(Locale.ROOT, "%.2f", ratio.getAsDouble()) : "";
    }

    private static void row(StringBuilder out, List<String> cells) {
        out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
}
