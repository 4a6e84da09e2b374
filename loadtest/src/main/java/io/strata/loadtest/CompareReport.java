package io.strata.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Turns the raw tool outputs of a compare.sh run into the Markdown tables of
 * {@code loadtest/results/latest.md}: the median of each figure over the rounds, per system, the
 * Strata/Kafka ratio of each median, and every round's figures.
 *
 * <p>Reads {@code RAW_DIR/<system>-r<round>-<run>.txt} where system is {@code kafka} or
 * {@code strata}, round counts from 1 and run is {@code produce} (ProducerPerformance, unthrottled),
 * {@code latency} (ProducerPerformance at a fixed rate) or {@code consume}. A missing or unfinished
 * run is shown as {@code n/a} and left out of the median. Usage:
 * {@code CompareReport --raw-dir DIR --rounds N}; the Markdown goes to standard output.
 */
public final class CompareReport {

    /** The two systems, in table order: file prefix and label. */
    static final List<String[]> SYSTEMS = List.of(
        new String[] {"kafka", "Apache Kafka 4.1.2"},
        new String[] {"strata", "Strata"});

    private CompareReport() {
    }

    public static void main(String[] args) throws IOException {
        Arguments arguments = Arguments.parse(args);
        Path rawDir = Path.of(arguments.required("raw-dir"));
        int rounds = Integer.parseInt(arguments.required("rounds"));
        System.out.print(render(rawDir, rounds));
    }

    /** One system's runs, one entry per round, empty where a run failed. */
    record Rounds(List<Optional<ProducerRun>> produce, List<Optional<ProducerRun>> latency,
                  List<Optional<ConsumerRun>> consume) {

        static Rounds read(Path rawDir, String system, int rounds) throws IOException {
            List<Optional<ProducerRun>> produce = new ArrayList<>();
            List<Optional<ProducerRun>> latency = new ArrayList<>();
            List<Optional<ConsumerRun>> consume = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                produce.add(read(rawDir, system, round, "produce").flatMap(ProducerRun::parse));
                latency.add(read(rawDir, system, round, "latency").flatMap(ProducerRun::parse));
                consume.add(read(rawDir, system, round, "consume").flatMap(ConsumerRun::parse));
            }
            return new Rounds(produce, latency, consume);
        }

        private static Optional<String> read(Path rawDir, String system, int round, String run) throws IOException {
            Path file = rawDir.resolve(system + "-r" + round + "-" + run + ".txt");
            return Files.exists(file) ? Optional.of(Files.readString(file)) : Optional.empty();
        }

        double[] medians() {
            return new double[] {
                median(produce, ProducerRun::mbPerSec),
                median(produce, ProducerRun::recordsPerSec),
                median(produce, ProducerRun::p50Ms),
                median(produce, ProducerRun::p99Ms),
                median(produce, ProducerRun::maxMs),
                median(latency, ProducerRun::p50Ms),
                median(latency, ProducerRun::p99Ms),
                median(latency, ProducerRun::maxMs),
                median(consume, ConsumerRun::mbPerSec),
                median(consume, ConsumerRun::recordsPerSec),
            };
        }
    }

    static final String[] COLUMNS = {
        "produce MB/s", "produce records/s", "p50 ms", "p99 ms", "max ms",
        "fixed-rate p50 ms", "fixed-rate p99 ms", "fixed-rate max ms", "consume MB/s", "consume records/s"};

    static String render(Path rawDir, int rounds) throws IOException {
        List<Rounds> systems = new ArrayList<>();
        for (String[] system : SYSTEMS) {
            systems.add(Rounds.read(rawDir, system[0], rounds));
        }
        StringBuilder out = new StringBuilder();
        out.append("### Medians over ").append(rounds).append(rounds == 1 ? " round" : " rounds").append("\n\n");
        out.append("| system | ").append(String.join(" | ", COLUMNS)).append(" |\n");
        out.append("|---").append("|---:".repeat(COLUMNS.length)).append("|\n");
        double[][] medians = new double[SYSTEMS.size()][];
        for (int i = 0; i < SYSTEMS.size(); i++) {
            medians[i] = systems.get(i).medians();
            out.append("| ").append(SYSTEMS.get(i)[1]).append(" | ")
                .append(String.join(" | ", Arrays.stream(medians[i]).mapToObj(CompareReport::number).toList()))
                .append(" |\n");
        }
        out.append("| **Strata / Kafka** |");
        for (int column = 0; column < COLUMNS.length; column++) {
            out.append(' ').append(ratio(medians[1][column], medians[0][column])).append(" |");
        }
        out.append("\n\n");
        out.append("Throughput ratios above 1 mean Strata is faster; latency ratios above 1 mean Strata is slower.\n\n");

        out.append("### Every round\n\n");
        out.append("| round | system | produce MB/s | p99 ms | fixed-rate p50 ms | fixed-rate p99 ms | consume MB/s | consumed records |\n");
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < SYSTEMS.size(); i++) {
                Rounds system = systems.get(i);
                out.append("| ").append(round + 1).append(" | ").append(SYSTEMS.get(i)[1]).append(" | ")
                    .append(cell(system.produce().get(round), ProducerRun::mbPerSec)).append(" | ")
                    .append(cell(system.produce().get(round), ProducerRun::p99Ms)).append(" | ")
                    .append(cell(system.latency().get(round), ProducerRun::p50Ms)).append(" | ")
                    .append(cell(system.latency().get(round), ProducerRun::p99Ms)).append(" | ")
                    .append(cell(system.consume().get(round), ConsumerRun::mbPerSec)).append(" | ")
                    .append(system.consume().get(round).map(run -> Long.toString(run.records())).orElse("n/a"))
                    .append(" |\n");
            }
        }
        return out.toString();
    }

    static <T> double median(List<Optional<T>> runs, ToDoubleFunction<T> figure) {
        double[] values = runs.stream().flatMap(Optional::stream).mapToDouble(figure).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    static String ratio(double strata, double kafka) {
        if (Double.isNaN(strata) || Double.isNaN(kafka) || kafka == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f", strata / kafka);
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        return value >= 1000 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static <T> String cell(Optional<T> run, Function<T, Double> figure) {
        return run.map(figure).map(CompareReport::number).orElse("n/a");
    }
}
