package io.strata.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code docker/docker-compose.single.yml} (one broker, no metadata database) as a user runs it: the broker's image
 * built from {@code docker/Dockerfile},
 * compose brought up with the monitoring profile (stand-ins for MinIO and Prometheus where their images cannot
 * be pulled; Grafana left out there), and everything checked from the host through the published ports: the
 * health check, the non-root user, Kafka clients (Java and kcat), segments reaching the bucket and listed by
 * {@code strata inspect}, {@code /metrics} and Prometheus' view of it, a restart (SIGTERM through the
 * entrypoint, data on the volume) and {@code down -v}. The figures (image size, time to healthy, memory) are
 * written to {@code target/deploy-figures.md}. The steps run in order against one project.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerComposeDeploymentTest {

    private static final String PROJECT = "strata-e2e";
    private static final String BOOTSTRAP = "localhost:9092";
    private static final String TOPIC = "orders";
    private static final int JAVA_RECORDS = 3_000;
    private static final int KCAT_RECORDS = 20;
    private static final String FILE = "docker/docker-compose.single.yml";
    /** The host ports docker-compose.single.yml publishes (Grafana's 3000 only where Grafana runs). */
    private static final List<Integer> PORTS = List.of(9092, 9464, 9000, 9001, 9090);
    private static final Duration COMPOSE = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOGS = "compose-logs.txt";

    private ComposeProject compose;
    /** The engine's containers, volumes and networks before {@code up}. */
    private List<String> engineBefore;
    private final Figures figures = new Figures("deploy-figures.md");
    /** Every record produced, key to value: keys are unique. */
    private final Map<String, String> produced = new HashMap<>();

    @BeforeAll
    void bringUp() throws Exception {
        Engine.require();
        Engine.buildImages();
        compose = ComposeProject.of(PROJECT, FILE, List.of("monitoring"));
        engineBefore = compose.clearEarlierRun();
        List<Integer> ports = new ArrayList<>(PORTS);
        if (!ComposeProject.usesStandins()) {
            ports.add(3000); // Grafana runs where its image can be pulled
        }
        HostClients.requireFree(ports);
        figures.put("compose files", String.join(" + ", compose.files()));
        figures.put("image " + Engine.BROKER_IMAGE, Figures.mib(Engine.imageSize(Engine.BROKER_IMAGE)));

        long start = System.nanoTime();
        compose.up(List.of("minio", "createbucket", "strata", "prometheus"));
        compose.awaitReady("strata", "http://localhost:9464/ready");
        figures.put("`up -d` to /ready answering 200", Figures.seconds(System.nanoTime() - start));
        compose.awaitHealthy("strata");
        figures.put("`up -d` to the container healthy", Figures.seconds(System.nanoTime() - start));
    }

    @AfterAll
    void tearDown() throws IOException {
        if (compose != null) {
            compose.tearDown(LOGS, figures);
        }
    }

    @Test
    @Order(1)
    void theBrokerRunsAsTheUnprivilegedUserWithJavaAsPidOneAndItsHealthCheckPasses() {
        assertThat(compose.health("strata")).isEqualTo("healthy");
        assertThat(compose.exec("strata", "id", "-un").trim()).isEqualTo("strata");
        assertThat(compose.exec("strata", "id", "-u").trim()).isEqualTo("10001");
        // The entrypoint execs java: the JVM is PID 1 and gets `docker stop`'s SIGTERM itself.
        assertThat(compose.exec("strata", "cat", "/proc/1/comm").trim()).isEqualTo("java");
        // The image's own HEALTHCHECK command, run as the engine runs it.
        assertThat(compose.exec("strata", "sh", "-c", "curl -fsS \"http://localhost:${STRATA_HTTP_PORT}/health\""))
                .isNotBlank();
    }

    @Test
    @Order(2)
    void javaClientsAndKcatOnTheHostRoundTripThroughThePublishedPort() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
            // Segments roll every 5 s, so that they reach the bucket within the test.
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1).configs(Map.of("segment.ms", "5000"))))
                    .all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("Could not create " + TOPIC + " through " + BOOTSTRAP, e);
        }
        produceWithJava(IntStream.range(0, JAVA_RECORDS).mapToObj(i -> "java-" + i).toList());
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < KCAT_RECORDS; i++) {
            lines.append("kcat-").append(i).append(":value-of-kcat-").append(i).append('\n');
            produced.put("kcat-" + i, "value-of-kcat-" + i);
        }
        Command.Result kcatProduce = Command.run(List.of("kcat", "-b", BOOTSTRAP, "-t", TOPIC, "-K:", "-P",
                "-X", "acks=all"), Engine.ROOT, lines.toString(), Duration.ofMinutes(1));
        assertThat(kcatProduce.exitCode()).as("%s", kcatProduce).isZero();

        assertThat(consumeWithJava()).containsExactlyInAnyOrderEntriesOf(produced);
        assertThat(consumeWithKcat()).containsExactlyInAnyOrderEntriesOf(produced);
    }

    @Test
    @Order(3)
    void segmentsOfATopicWithAShortSegmentMsReachTheBucketAndInspectListsThem() throws Exception {
        // A segment rolls on the first append after segment.ms: keep producing until objects appear.
        List<S3Object> segments = new ArrayList<>();
        try (S3AsyncClient s3 = s3()) {
            await("segment objects of " + TOPIC + " in the bucket").atMost(Duration.ofMinutes(3))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(2)).until(() -> {
                        produceWithJava(IntStream.range(0, 30).mapToObj(i -> "late-" + i + "-" + System.nanoTime())
                                .toList());
                        segments.clear();
                        segments.addAll(s3.listObjectsV2(ListObjectsV2Request.builder().bucket("strata")
                                .prefix("topics/" + TOPIC + "-").build()).get(30, TimeUnit.SECONDS).contents().stream()
                                .filter(object -> object.key().endsWith(".log")).toList());
                        return !segments.isEmpty();
                    });
        }

        // Each segment object is listed under its partition once its manifest lists it (written after the upload)
        List<S3Object> uploaded = segments;
        await("strata inspect list --segments lists every segment object").atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                    Map<String, Set<String>> listed = segmentsByPartition(
                            compose.exec("strata", "strata", "inspect", "list", "--segments"));
                    for (S3Object segment : uploaded) {
                        String[] path = segment.key().split("/"); // topics/{topic}-{id}/{partition}/{object}
                        assertThat(listed.getOrDefault(TOPIC + "-" + path[2], Set.of()))
                                .as("objects listed for %s-%s", TOPIC, path[2]).contains(path[3]);
                    }
                });
    }

    /** {@code strata inspect list --segments} read back: partition ({@code orders-0}) to its segment objects. */
    private static Map<String, Set<String>> segmentsByPartition(String listing) {
        Pattern partition = Pattern.compile("^  (\\S+-\\d+)  log start ");
        Pattern object = Pattern.compile("^    (\\S+)  offsets \\d+\\.\\.\\d+ ");
        Map<String, Set<String>> listed = new HashMap<>();
        String current = null;
        for (String line : listing.lines().toList()) {
            Matcher p = partition.matcher(line);
            Matcher o = object.matcher(line);
            if (p.find()) {
                current = p.group(1);
                listed.put(current, new java.util.TreeSet<>());
            } else if (o.find() && current != null) {
                listed.get(current).add(o.group(1));
            }
        }
        return listed;
    }

    @Test
    @Order(4)
    void metricsAnswerOnThePublishedPortAndPrometheusScrapesTheBroker() throws Exception {
        String metrics = HostClients.body("http://localhost:9464/metrics");
        assertThat(metrics).contains("kafka_server_brokertopicmetrics_messages_in_total{topic=\"" + TOPIC + "\"");

        await("Prometheus reports the strata target up").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                    JsonNode targets = JSON.readTree(HostClients.body("http://localhost:9090/api/v1/targets"))
                            .path("data").path("activeTargets");
                    assertThat(targets).anySatisfy(target -> {
                        assertThat(target.path("labels").path("job").asText()).isEqualTo("strata");
                        assertThat(target.path("health").asText()).isEqualTo("up");
                    });
                });
        JsonNode query = JSON.readTree(HostClients.body("http://localhost:9090/api/v1/query?query=kafka_server_brokertopicmetrics_messages_in_total"));
        assertThat(query.path("data").path("result").toString()).contains(TOPIC);
    }

    @Test
    @Order(5)
    void aRestartStopsTheBrokerCleanlyOnSigtermAndKeepsEveryRecord() throws Exception {
        measureMemory();
        long start = System.nanoTime();
        compose.runOrFail(COMPOSE, "restart", "strata");
        long restart = System.nanoTime() - start;
        figures.put("`restart strata` (stop on SIGTERM, start)", Figures.seconds(restart));
        // Well under the 30 s stop_grace_period: the JVM stopped on SIGTERM, it was not killed.
        assertThat(Duration.ofNanos(restart)).isLessThan(Duration.ofSeconds(25));
        await("the broker's /ready after the restart").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100)).until(() -> HostClients.status("http://localhost:9464/ready") == 200);

        String logs = compose.logs("strata");
        assertThat(logs).contains("Broker stopped");
        String afterStop = logs.substring(logs.lastIndexOf("Broker stopped"));
        assertThat(afterStop).as("the run after a clean stop").contains("listening on")
                .doesNotContain("Recovered ").doesNotContain("Recovery of");

        assertThat(consumeWithJava()).containsExactlyInAnyOrderEntriesOf(produced);
    }

    @Test
    @Order(6)
    void aNewContainerOnTheSameVolumeFindsEveryRecordOnItsDisk() {
        String before = compose.containerId("strata");
        compose.runOrFail(COMPOSE, "up", "-d", "--force-recreate", "--no-deps", "strata");
        assertThat(compose.containerId("strata")).as("a new container").isNotEqualTo(before);
        await("the new container's /ready").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100)).until(() -> HostClients.status("http://localhost:9464/ready") == 200);

        // The partitions are on the volume mounted at STRATA_LOG_DIRS, not rebuilt from the bucket
        assertThat(compose.exec("strata", "ls", "/var/lib/strata").lines().toList())
                .contains(TOPIC + "-0", TOPIC + "-1", TOPIC + "-2");
        assertThat(compose.logs("strata")).as("the new container's log")
                .contains("3 partition(s) in /var/lib/strata after a clean shutdown").doesNotContain("Restoring ");
        assertThat(consumeWithJava()).containsExactlyInAnyOrderEntriesOf(produced);
    }

    @Test
    @Order(7)
    void downWithVolumesLeavesNothingBehind() throws IOException {
        compose.downLeavesNothing(LOGS, engineBefore);
    }

    private void measureMemory() {
        String status = compose.exec("strata", "cat", "/proc/1/status");
        Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
        assertThat(rss.find()).as("VmRSS in %s", status).isTrue();
        figures.put("broker JVM resident memory after the round trips (compose JAVA_OPTS: -Xmx512m, 384m direct)",
                Figures.mib(Long.parseLong(rss.group(1)) * 1024));
        Command.Result stats = Engine.docker(List.of("stats", "--no-stream", "--format", "{{.MemUsage}}",
                compose.containerId("strata")), Duration.ofSeconds(60));
        if (stats.succeeded() && !stats.stdout().isBlank()) {
            figures.put("container memory (`docker stats`)", stats.stdout().trim());
        }
    }

    private void produceWithJava(List<String> keys) {
        produced.putAll(HostClients.produce(BOOTSTRAP, TOPIC, keys));
    }

    /** Every record of the topic from the beginning, key to value; fails on a key seen twice. */
    private Map<String, String> consumeWithJava() {
        return HostClients.consumeAll(BOOTSTRAP, TOPIC, 3);
    }

    /** Every record of the topic from the beginning, read by kcat, key to value. */
    private Map<String, String> consumeWithKcat() {
        Command.Result kcat = Command.run(List.of("kcat", "-b", BOOTSTRAP, "-t", TOPIC, "-C", "-o", "beginning",
                "-e", "-q", "-f", "%k:%s\\n"), Engine.ROOT, "", Duration.ofMinutes(2));
        assertThat(kcat.exitCode()).as("%s", kcat).isZero();
        Map<String, String> seen = new HashMap<>();
        for (String line : kcat.stdout().lines().filter(line -> !line.isBlank()).toList()) {
            int colon = line.indexOf(':');
            String before = seen.put(line.substring(0, colon), line.substring(colon + 1));
            assertThat(before).as("kcat read %s twice", line).isNull();
        }
        return seen;
    }

    private static S3AsyncClient s3() {
        return S3AsyncClient.builder()
                .endpointOverride(URI.create("http://localhost:9000"))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("minioadmin", "minioadmin")))
                .build();
    }
}
