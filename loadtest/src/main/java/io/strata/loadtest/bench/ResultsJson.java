package io.strata.loadtest.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * {@code results.json}: everything a run measured, for scripts and later comparison. Shape:
 * <pre>
 * {
 *   "command": "strata-loadtest bench --start strata,kafka ...",
 *   "started": "2026-12-01T05:00:00Z", "finished": "...",
 *   "machine": {"cores": 2, "memoryMiB": 7940, "cpu": "...", "os": "...", "java": "17.0.12", "loadAverage": "..."},
 *   "versions": {"kafkaClients": "4.1.2", "apacheKafka": "4.1.2", "strataCommit": "d78dd55"},
 *   "workload": {"records": 100000, "recordSize": 1024, "partitions": 3, "acks": "all", ...},
 *   "systems": [{"name": "strata", "bootstrap": "127.0.0.1:40123", "kind": "strata (started)",
 *                "peakRssMiB": 612.3, "peakRssWithChildrenMiB": 841.0}],
 *   "runs": [{"scenario": "produce-acks-all", "system": "strata", "round": 1,
 *             "figures": {"MiB/s": 120.5, "records/s": 123392, "p99 ms": 41.2}}],
 *   "summary": [{"scenario": "produce-acks-all", "metric": "MiB/s", "higherIsBetter": true,
 *                "medians": {"strata": 120.5, "kafka": 118.0}, "strataOverKafka": 1.02,
 *                "strataOverKafkaPerRound": [1.02]}]
 * }
 * </pre>
 * With strata-cluster and kafka-cluster, {@code "ratioOf"} is {@code "strata-cluster/kafka-cluster"} and the
 * {@code strataOverKafka} figures divide those two; {@code "goals"} lists issue 15's goals with the figures measured
 * ({@link ClusterGoals}). A run without figures has {@code "notApplicable"} or {@code "error"} (a string) instead; a summary median
 * that could not be computed is {@code null}, with the reason under {@code "missing"}.
 */
final class ResultsJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultsJson() {
    }

    static ObjectNode build(RunInfo info, List<SystemReport> systems, List<RunOutcome> outcomes, Summary summary) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("command", info.command());
        root.put("started", info.started().toString());
        root.put("finished", info.finished().toString());
        root.set("machine", MAPPER.valueToTree(info.machine()));
        root.set("versions", MAPPER.valueToTree(info.versions()));
        root.set("workload", MAPPER.valueToTree(info.workload()));
        ArrayNode systemNodes = root.putArray("systems");
        for (SystemReport system : systems) {
            ObjectNode node = systemNodes.addObject();
            node.put("name", system.name());
            node.put("bootstrap", system.bootstrap());
            node.put("kind", system.kind());
            putOptional(node, "peakRssMiB", system.peakRssMiB());
            putOptional(node, "peakRssWithChildrenMiB", system.peakTreeRssMiB());
        }
        ArrayNode runs = root.putArray("runs");
        for (RunOutcome outcome : outcomes) {
            ObjectNode node = runs.addObject();
            node.put("scenario", outcome.scenario().id());
            node.put("system", outcome.system());
            node.put("round", outcome.round());
            ObjectNode figures = node.putObject("figures");
            for (Metric metric : Metric.values()) {
                if (outcome.figures().containsKey(metric)) {
                    figures.put(metric.label(), outcome.figures().get(metric));
                }
            }
            outcome.notApplicable().ifPresent(reason -> node.put("notApplicable", reason));
            outcome.error().ifPresent(error -> node.put("error", error));
        }
        summary.ratioLabel().ifPresent(label -> root.put("ratioOf", label));
        ArrayNode goals = root.putArray("goals");
        ClusterGoals.check(summary).forEach(goal -> goals.add(goal.substring(2)));
        ArrayNode rows = root.putArray("summary");
        for (Summary.Row row : summary.rows()) {
            ObjectNode node = rows.addObject();
            node.put("scenario", row.scenario().id());
            node.put("metric", row.metric().label());
            node.put("higherIsBetter", row.metric().higherIsBetter());
            ObjectNode medians = node.putObject("medians");
            ObjectNode missing = MAPPER.createObjectNode();
            for (Map.Entry<String, Summary.Cell> cell : row.cells().entrySet()) {
                putOptional(medians, cell.getKey(), cell.getValue().median());
                cell.getValue().missing().ifPresent(reason -> missing.put(cell.getKey(), reason));
            }
            if (!missing.isEmpty()) {
                node.set("missing", missing);
            }
            if (summary.hasRatio()) {
                putOptional(node, "strataOverKafka", row.ratio());
                ArrayNode perRound = node.putArray("strataOverKafkaPerRound");
                row.roundRatios().forEach(perRound::add);
            }
        }
        return root;
    }

    static void write(ObjectNode root, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), root);
    }

    private static void putOptional(ObjectNode node, String name, OptionalDouble value) {
        if (value.isPresent()) {
            node.put(name, value.getAsDouble());
        } else {
            node.putNull(name);
        }
    }
}
