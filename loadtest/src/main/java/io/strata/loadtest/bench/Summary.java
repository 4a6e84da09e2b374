package io.strata.loadtest.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * The medians over the rounds: one {@link Row} per scenario and metric, with one cell per system, in the
 * order the systems were given. When systems named {@code strata} and {@code kafka} both ran (or
 * {@code strata-cluster} and {@code kafka-cluster}, which then take precedence), each row
 * has the Strata/Kafka ratio of the medians (above 1 is better for throughput, worse for latency) and the
 * ratio within each round that both measured: the two systems ran about a minute apart in a round, so the spread
 * of these shows how much of a ratio is the shared machine's noise rather than the brokers.
 */
record Summary(List<String> systems, List<Row> rows) {

    static final String STRATA = "strata";
    static final String KAFKA = "kafka";

    /** One cell: the median, or the reason there is none ("n/a: ...", "failed: ..."). */
    record Cell(OptionalDouble median, Optional<String> missing) {
    }

    /** {@code roundRatios}: Strata's figure over Kafka's per round, in round order, for rounds with both. */
    record Row(Scenario scenario, Metric metric, Map<String, Cell> cells, OptionalDouble ratio,
               List<Double> roundRatios) {
    }

    static Summary of(List<String> systems, List<Scenario> scenarios, List<RunOutcome> outcomes) {
        Optional<List<String>> pair = ratioPair(systems);
        String strataName = pair.map(names -> names.get(0)).orElse(STRATA);
        String kafkaName = pair.map(names -> names.get(1)).orElse(KAFKA);
        List<Row> rows = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            for (Metric metric : scenario.metrics()) {
                Map<String, Cell> cells = new LinkedHashMap<>();
                for (String system : systems) {
                    cells.put(system, cell(outcomes, scenario, metric, system));
                }
                rows.add(new Row(scenario, metric, cells, ratio(cells.get(strataName), cells.get(kafkaName)),
                    roundRatios(outcomes, scenario, metric, strataName, kafkaName)));
            }
        }
        return new Summary(List.copyOf(systems), rows);
    }

    boolean hasRatio() {
        return ratioPair(systems).isPresent();
    }

    /** What the ratio column divides, e.g. {@code strata-cluster/kafka-cluster}; empty without a pair. */
    Optional<String> ratioLabel() {
        return ratioPair(systems).map(pair -> pair.get(0) + "/" + pair.get(1));
    }

    /**
     * The two systems the ratios compare: strata-cluster and kafka-cluster when both ran (the cluster comparison
     * comes first), else strata and kafka.
     */
    static Optional<List<String>> ratioPair(List<String> systems) {
        if (systems.contains(Systems.STRATA_CLUSTER) && systems.contains(Systems.KAFKA_CLUSTER)) {
            return Optional.of(List.of(Systems.STRATA_CLUSTER, Systems.KAFKA_CLUSTER));
        }
        if (systems.contains(STRATA) && systems.contains(KAFKA)) {
            return Optional.of(List.of(STRATA, KAFKA));
        }
        return Optional.empty();
    }

    private static Cell cell(List<RunOutcome> outcomes, Scenario scenario, Metric metric, String system) {
        List<RunOutcome> runs = outcomes.stream()
            .filter(outcome -> outcome.scenario() == scenario && outcome.system().equals(system)).toList();
        List<Double> values = runs.stream().map(outcome -> outcome.figures().get(metric))
            .filter(value -> value != null).toList();
        OptionalDouble median = Stats.median(values);
        if (median.isPresent()) {
            return new Cell(median, Optional.empty());
        }
        Optional<String> reason = runs.stream().map(outcome -> outcome.notApplicable().map(why -> "n/a: " + why)
                .or(() -> outcome.error().map(why -> "failed: " + why)))
            .flatMap(Optional::stream).findFirst();
        return new Cell(median, Optional.of(reason.orElse("not run")));
    }

    private static List<Double> roundRatios(List<RunOutcome> outcomes, Scenario scenario, Metric metric,
                                            String strataName, String kafkaName) {
        Map<Integer, Double> strata = new TreeMap<>();
        Map<Integer, Double> kafka = new TreeMap<>();
        for (RunOutcome outcome : outcomes) {
            Double value = outcome.figures().get(metric);
            if (outcome.scenario() != scenario || value == null) {
                continue;
            }
            if (outcome.system().equals(strataName)) {
                strata.put(outcome.round(), value);
            } else if (outcome.system().equals(kafkaName)) {
                kafka.put(outcome.round(), value);
            }
        }
        List<Double> ratios = new ArrayList<>();
        strata.forEach((round, value) -> {
            Double other = kafka.get(round);
            if (other != null && other != 0) {
                ratios.add(value / other);
            }
        });
        return List.copyOf(ratios);
    }

    private static OptionalDouble ratio(Cell strata, Cell kafka) {
        if (strata == null || kafka == null || strata.median().isEmpty() || kafka.median().isEmpty()
            || kafka.median().getAsDouble() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(strata.median().getAsDouble() / kafka.median().getAsDouble());
    }
}
