package io.strata.loadtest.bench;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one scenario gave on one system in one round: its figures, or why it has none ({@code notApplicable}
 * for a scenario the system cannot run, such as catchup-cold on Apache Kafka without tiered storage;
 * {@code error} for a run that failed).
 */
record RunOutcome(Scenario scenario, String system, int round, Map<Metric, Double> figures,
                  Optional<String> notApplicable, Optional<String> error) {

    RunOutcome {
        Map<Metric, Double> ordered = new EnumMap<>(Metric.class);
        ordered.putAll(figures);
        figures = Collections.unmodifiableMap(ordered);
    }

    static RunOutcome measured(Scenario scenario, String system, int round, Map<Metric, Double> figures) {
        return new RunOutcome(scenario, system, round, figures, Optional.empty(), Optional.empty());
    }

    static RunOutcome notApplicable(Scenario scenario, String system, int round, String reason) {
        return new RunOutcome(scenario, system, round, Map.of(), Optional.of(reason), Optional.empty());
    }

    static RunOutcome failed(Scenario scenario, String system, int round, String error) {
        return new RunOutcome(scenario, system, round, Map.of(), Optional.empty(), Optional.of(error));
    }
}
