package io.strata.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tool end to end with tiny counts: it starts the broker itself (Apache Kafka from the Maven jars of
 * target/classpath.txt; Strata from broker-vertx/target/strata-broker.jar, which the reactor packages before
 * loadtest), runs scenarios, writes results.json and chart.png and stops the broker.
 */
class BenchSmokeTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(150)
    void startsApacheKafkaFromTheJarsAndMeasuresProduceAndConsume() throws Exception {
        JsonNode results = bench("kafka", "produce-acks-all,consume-hot,catchup-cold");

        assertMeasured(results, "produce-acks-all", "kafka");
        assertMeasured(results, "consume-hot", "kafka");
        assertThat(run(results, "catchup-cold", "kafka").path("notApplicable").asText()).contains("without tiered storage");
        assertThat(results.path("versions").path("apacheKafka").asText()).isEqualTo("4.1.2");
        assertBrokerReportedAndStopped(results);
    }

    @Test
    @Timeout(150)
    void startsStrataFromItsJarAndRunsEveryScenarioIncludingTheCatchUpAfterARestart() throws Exception {
        Path jar = Layout.ofThisCheckout().strataJar();
        boolean ci = "true".equals(System.getenv("CI"));
        assumeTrue(Files.isRegularFile(jar) || ci, "skipped: " + jar + " is not built (mvn -pl broker-vertx -am package);"
            + " with CI=true this test fails instead");

        JsonNode results = bench("strata", "produce-acks-all,consume-hot,produce-latency,e2e-latency,catchup-cold",
            "--consumer", "group", "--latency-records", "500", "--catchup-mib", "6",
            "--catchup-segment-bytes", "1048576", "--catchup-warmup-mib", "0");

        assertMeasured(results, "produce-acks-all", "strata");
        assertMeasured(results, "consume-hot", "strata");
        assertMeasured(results, "catchup-cold", "strata");
        assertLatencies(results, "produce-latency", "strata");
        assertLatencies(results, "e2e-latency", "strata");
        assertBrokerReportedAndStopped(results);
    }

    private JsonNode bench(String system, String scenarios, String... more) throws IOException {
        Path out = dir.resolve("out");
        List<String> args = new ArrayList<>(List.of("bench", "--start", system, "--scenarios", scenarios,
            "--records", "2000", "--warmup-records", "0", "--out", out.toString(),
            "--work-dir", dir.resolve("work").toString(), "--broker-jvm-opts", "-Xmx512m -XX:+UseG1GC"));
        args.addAll(List.of(more));

        int status = LoadtestMain.execute(args.toArray(String[]::new));

        assertThat(status).as("exit status; results.md:%n%s", Files.exists(out.resolve("results.md"))
            ? Files.readString(out.resolve("results.md")) : "(none)").isZero();
        assertThat(ImageIO.read(out.resolve("chart.png").toFile())).isNotNull();
        return new ObjectMapper().readTree(out.resolve("results.json").toFile());
    }

    private static JsonNode run(JsonNode results, String scenario, String system) {
        for (JsonNode run : results.path("runs")) {
            if (run.path("scenario").asText().equals(scenario) && run.path("system").asText().equals(system)) {
                return run;
            }
        }
        throw new AssertionError("no run of " + scenario + " on " + system + " in " + results);
    }

    private static void assertMeasured(JsonNode results, String scenario, String system) {
        JsonNode figures = run(results, scenario, system).path("figures");
        assertThat(figures.path("MiB/s").asDouble()).as(scenario + " MiB/s").isPositive();
        assertThat(figures.path("records/s").asDouble()).as(scenario + " records/s").isPositive();
        if (!scenario.equals("catchup-cold")) { // the brokers the tool started report their CPU per GiB
            assertThat(figures.has("broker CPU s/GiB")).as(scenario + " broker CPU s/GiB in " + figures).isTrue();
            assertThat(figures.path("broker CPU s/GiB").asDouble()).isNotNegative();
            // the client is this tool's JVM: reading or writing a run's records costs it some CPU
            assertThat(figures.path("client CPU s/GiB").asDouble()).as(scenario + " client CPU s/GiB in " + figures)
                .isPositive();
        }
    }

    private static void assertLatencies(JsonNode results, String scenario, String system) {
        JsonNode figures = run(results, scenario, system).path("figures");
        double p50 = figures.path("p50 ms").asDouble();
        assertThat(p50).as(scenario + " p50").isPositive();
        assertThat(figures.path("p99 ms").asDouble()).as(scenario + " p99").isGreaterThanOrEqualTo(p50);
        assertThat(figures.path("p99.9 ms").asDouble()).as(scenario + " p99.9")
            .isGreaterThanOrEqualTo(figures.path("p99 ms").asDouble());
    }

    private static void assertBrokerReportedAndStopped(JsonNode results) {
        JsonNode system = results.path("systems").get(0);
        assertThat(system.path("peakRssMiB").asDouble()).as("peak RSS of the broker").isPositive();
        String[] bootstrap = system.path("bootstrap").asText().split(":");
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(bootstrap[0], Integer.parseInt(bootstrap[1])), 1000);
            }
        }).as("the broker the tool started is stopped").isInstanceOf(IOException.class);
    }
}
