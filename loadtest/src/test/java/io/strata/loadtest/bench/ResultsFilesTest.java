package io.strata.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ResultsFilesTest {

    @TempDir
    Path dir;

    @Test
    void jsonHoldsTheRunTheSystemsEveryRunAndTheSummary() throws Exception {
        RunInfo info = new RunInfo("java -jar strata-loadtest.jar bench --start strata,kafka",
            Instant.parse("2026-12-01T05:00:00Z"), Instant.parse("2026-12-01T05:10:00Z"), RunInfo.probeMachine(),
            Map.of("kafkaClients", "4.1.2"), Map.of("records", 2000L));
        Path file = dir.resolve("results.json");

        ResultsJson.write(ResultsJson.build(info, ReportFixtures.systems(), ReportFixtures.outcomes(),
            ReportFixtures.summary()), file);

        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertThat(root.path("command").asText()).contains("--start strata,kafka");
        assertThat(root.path("started").asText()).isEqualTo("2026-12-01T05:00:00Z");
        assertThat(root.path("machine").path("cores").asInt()).isPositive();
        assertThat(root.path("versions").path("kafkaClients").asText()).isEqualTo("4.1.2");
        assertThat(root.path("workload").path("records").asLong()).isEqualTo(2000);
        assertThat(root.path("systems")).hasSize(2);
        assertThat(root.path("systems").get(0).path("peakRssMiB").asDouble()).isEqualTo(612.4);
        assertThat(root.path("runs")).hasSize(ReportFixtures.outcomes().size());
        JsonNode first = root.path("runs").get(0);
        assertThat(first.path("scenario").asText()).isEqualTo("produce-acks-all");
        assertThat(first.path("round").asInt()).isEqualTo(1);
        assertThat(first.path("figures").path("MiB/s").asDouble()).isEqualTo(150.0);
        assertThat(root.path("runs").get(5).path("error").asText()).contains("TimeoutException");
        assertThat(root.path("runs").get(10).path("notApplicable").asText()).isEqualTo("no tiered storage");
        JsonNode summary = root.path("summary").get(0);
        assertThat(summary.path("metric").asText()).isEqualTo("MiB/s");
        assertThat(summary.path("higherIsBetter").asBoolean()).isTrue();
        assertThat(summary.path("medians").path("strata").asDouble()).isEqualTo(140.0);
        assertThat(summary.path("strataOverKafka").asDouble()).isCloseTo(1.4, within(1e-9));
        assertThat(summary.path("strataOverKafkaPerRound").get(1).asDouble()).isCloseTo(130.0 / 90.0, within(1e-9));
        JsonNode catchup = root.path("summary").get(root.path("summary").size() - 2);
        assertThat(catchup.path("scenario").asText()).isEqualTo("catchup-cold");
        assertThat(catchup.path("medians").path("kafka").isNull()).isTrue();
        assertThat(catchup.path("missing").path("kafka").asText()).isEqualTo("n/a: no tiered storage");
    }

    @Test
    void chartIsAPngOfTheDocumentedSize() throws Exception {
        Path file = dir.resolve("chart.png");

        ResultsChart.write(ReportFixtures.summary(), "strata vs kafka", file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(ResultsChart.WIDTH);
        assertThat(image.getHeight()).isEqualTo(ResultsChart.HEIGHT);
        assertThat(Files.readAllBytes(file)).startsWith(0x89, 'P', 'N', 'G');
        assertThat(distinctColours(image)).as("bars, axes and labels, not a blank page").isGreaterThan(3);
    }

    @Test
    void chartWithoutLatencyScenariosIsStillDrawn() throws Exception {
        Summary summary = Summary.of(List.of("kafka"), List.of(Scenario.CONSUME_HOT), List.of(RunOutcome.measured(
            Scenario.CONSUME_HOT, "kafka", 1, Map.of(Metric.MIB_PER_SEC, 300.0, Metric.RECORDS_PER_SEC, 307200.0))));
        Path file = dir.resolve("chart.png");

        ResultsChart.write(summary, "kafka", file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(ResultsChart.WIDTH);
        assertThat(image.getHeight()).isEqualTo(ResultsChart.HEIGHT);
    }

    private static long distinctColours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 5) {
            for (int x = 0; x < image.getWidth(); x += 5) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }
}
