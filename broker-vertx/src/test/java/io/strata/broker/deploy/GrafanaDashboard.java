package io.strata.broker.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.broker.metrics.PrometheusText;
import io.strata.broker.metrics.PrometheusText.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * docker/grafana/dashboards/strata.json read as data: its panels, its PromQL, and the metrics and labels
 * that PromQL needs the broker to serve ({@link #queriedMetrics()}), checked against a real scrape by
 * {@link #unserved}.
 */
public final class GrafanaDashboard {

    static final String PATH = "docker/grafana/dashboards/strata.json";

    /** A string literal of PromQL (label values, Grafana variables like {@code "$topic"} inside them). */
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    /** {@code by (a, b)} / {@code without (a, b)}: the labels an aggregation groups by (or drops). */
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without)\\s*\\(([^)]*)\\)");
    /** {@code on (...)}, {@code ignoring (...)}, {@code group_left (...)}: vector matching, unused here. */
    private static final Pattern MATCHING = Pattern.compile("\\b(?:on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** A metric name with its label matchers: {@code name{a="x",b=~"y"}}. */
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    /** The label name of one matcher inside {@code {...}}. */
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");
    /** A range or subquery, {@code [$__rate_interval]}, {@code [5m:1m]}. */
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    /**
     * An identifier not followed by {@code (}: what is left of an expression once strings, selectors'
     * matchers, ranges and grouping lists are gone is metric names, numbers, operators, function calls
     * (identifier then {@code (}, excluded here) and the {@link #KEYWORDS}.
     */
    private static final Pattern IDENTIFIER = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()");
    /** PromQL's binary operator keywords and modifiers, which are identifiers but not metric names. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");
    /** Grafana's template query {@code label_values(metric, label)}: not PromQL, read on its own. */
    private static final Pattern LABEL_VALUES = Pattern.compile(
            "label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

    private GrafanaDashboard() {
    }

    /** The panels that show data (not the rows that group them). */
    static List<JsonNode> panels() {
        return StreamSupport.stream(RepositoryFiles.json(PATH).path("panels").spliterator(), false)
                .filter(panel -> !panel.path("type").asText().equals("row"))
                .toList();
    }

    /**
     * Every metric the dashboard queries, each with the labels the dashboard filters or groups it by: the
     * PromQL of every panel's targets and the {@code label_values} queries of its template variables.
     */
    public static Map<String, Set<String>> queriedMetrics() {
        Map<String, Set<String>> metrics = new TreeMap<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                merge(metrics, metricsAndLabels(target.path("expr").asText()));
            }
        }
        for (JsonNode variable : RepositoryFiles.json(PATH).path("templating").path("list")) {
            Matcher labelValues = LABEL_VALUES.matcher(variable.path("definition").asText());
            if (!labelValues.matches()) {
                throw new IllegalStateException("template variable query not label_values(metric, label): " + variable);
            }
            merge(metrics, Map.of(labelValues.group(1), Set.of(labelValues.group(2))));
        }
        return metrics;
    }

    /**
     * The metrics a PromQL expression selects, each with the labels it needs: those of its own matchers
     * plus those of every {@code by}/{@code without} list in the expression. That grouping labels are
     * applied to every metric of the expression is a simplification, right for the dashboard's queries
     * (one metric per aggregation, or a ratio of series with the same labels).
     */
    static Map<String, Set<String>> metricsAndLabels(String expression) {
        String rest = STRING.matcher(expression).replaceAll("\"\"");
        Set<String> grouping = new TreeSet<>();
        Matcher group = GROUPING.matcher(rest);
        while (group.find()) {
            for (String label : group.group(1).split(",")) {
                if (!label.isBlank()) {
                    grouping.add(label.strip());
                }
            }
        }
        rest = MATCHING.matcher(GROUPING.matcher(rest).replaceAll(" ")).replaceAll(" ");

        Map<String, Set<String>> metrics = new TreeMap<>();
        Matcher selector = SELECTOR.matcher(rest);
        while (selector.find()) {
            Set<String> labels = metrics.computeIfAbsent(selector.group(1), name -> new TreeSet<>());
            Matcher label = MATCHER_LABEL.matcher(selector.group(2));
            while (label.find()) {
                labels.add(label.group(1));
            }
        }
        rest = RANGE.matcher(rest.replaceAll("\\{[^}]*}", " ")).replaceAll(" ");

        Matcher identifier = IDENTIFIER.matcher(rest);
        while (identifier.find()) {
            if (!KEYWORDS.contains(identifier.group(1))) {
                metrics.computeIfAbsent(identifier.group(1), name -> new TreeSet<>()).addAll(grouping);
            }
        }
        return metrics;
    }

    /**
     * What of {@code queried} (metric → labels) the {@code scrape} does not serve, one line per problem
     * (a metric with no sample, a label on none of its samples); empty when everything is there.
     */
    public static List<String> unserved(Map<String, Set<String>> queried, PrometheusText scrape) {
        List<String> problems = new ArrayList<>();
        queried.forEach((metric, labels) -> {
            List<Sample> samples = scrape.series(metric);
            if (samples.isEmpty()) {
                problems.add(metric + ": no such series");
                return;
            }
            for (String label : labels) {
                if (samples.stream().noneMatch(sample -> sample.labels().containsKey(label))) {
                    problems.add(metric + ": no sample has the label " + label + ", only "
                            + samples.stream().map(s -> s.labels().keySet()).distinct().toList());
                }
            }
        });
        return problems;
    }

    private static void merge(Map<String, Set<String>> into, Map<String, Set<String>> from) {
        from.forEach((metric, labels) -> into.computeIfAbsent(metric, name -> new TreeSet<>()).addAll(labels));
    }
}
