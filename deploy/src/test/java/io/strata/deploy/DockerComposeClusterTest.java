package io.strata.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code docker/docker-compose.yml}, the cluster, as a user runs it: PostgreSQL, MinIO (stand-ins where their
 * images cannot be pulled), three brokers from the image built from {@code docker/Dockerfile}, and Prometheus
 * (profile {@code monitoring}), brought up once, then checked from the host through the published ports: the three
 * brokers healthy and listed by DescribeCluster at the addresses they advertise, a topic of six partitions led on
 * all three, acks=all records read back, Prometheus scraping each broker, and {@code docker compose stop strata-2}
 * (SIGTERM: a planned stop) handing its partitions to the other two with every acknowledged record still readable;
 * then {@code down -v}. The steps run in order against one project; figures go to
 * {@code target/deploy-cluster-figures.md}, the services' logs to {@code target/compose-cluster-logs.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DockerComposeClusterTest {

    private static final String PROJECT = "strata-cluster-e2e";
    private static final String FILE = "docker/docker-compose.yml";
    /** Node id to its Kafka port on the host (published 1:1, advertised as localhost) and its HTTP port. */
    private static final SortedMap<Integer, Integer> KAFKA_PORTS =
            Collections.unmodifiableSortedMap(new TreeMap<>(Map.of(1, 9092, 2, 9093, 3, 9094)));
    private static final Map<Integer, Integer> HTTP_PORTS = Map.of(1, 9464, 2, 9465, 3, 9466);
    private static final String BOOTSTRAP = "localhost:9092,localhost:9093,localhost:9094";
    private static final String TOPIC = "payments";
    private static final int PARTITIONS = 6;
    private static final int RECORDS = 3_000;
    private static final int STOPPED = 2;
    /** The brokers' stop_grace_period in docker-compose.yml: a stop that takes this long was a kill. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);
    private static final Duration COMPOSE = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOGS = "compose-cluster-logs.txt";

    private ComposeProject compose;
    private List<String> engineBefore;
    private final Figures figures = new Figures("deploy-cluster-figures.md");
    /** Every record acknowledged, key to value: keys are unique. */
    private final Map<String, String> produced = new HashMap<>();

    @BeforeAll
    void bringUp() {
        Engine.require();
        Engine.buildImages();
        compose = ComposeProject.of(PROJECT, FILE, List.of("monitoring"));
        engineBefore = compose.clearEarlierRun();
        List<Integer> ports = new ArrayList<>(List.of(9000, 9001, 9090));
        ports.addAll(KAFKA_PORTS.values());
        ports.addAll(HTTP_PORTS.values());
        if (!ComposeProject.usesStandins()) {
            ports.add(3000); // Grafana runs where its image can be pulled
        }
        HostClients.requireFree(ports);
        figures.put("compose files", String.join(" + ", compose.files()));

        long start = System.nanoTime();
        compose.up(List.of("postgres", "minio", "createbucket", "strata-1", "strata-2", "strata-3", "prometheus"));
        KAFKA_PORTS.keySet().forEach(node -> compose.awaitReady(service(node), readyUrl(node)));
        figures.put("`up -d` to /ready answering 200 on all three brokers", Figures.seconds(System.nanoTime() - start));
        KAFKA_PORTS.keySet().forEach(node -> compose.awaitHealthy(service(node)));
        figures.put("`up -d` to the three containers healthy", Figures.seconds(System.nanoTime() - start));
    }

    @AfterAll
    void tearDown() throws IOException {
        if (compose != null) {
            compose.tearDown(LOGS, figures);
        }
    }

    @Test
    @Order(1)
    void theThreeBrokersAreHealthyAndDescribeClusterListsEachAtTheAddressItPublishes() throws Exception {
        assertThat(compose.health("postgres")).isEqualTo("healthy");
        for (int node : KAFKA_PORTS.keySet()) {
            assertThat(compose.health(service(node))).as("health of %s", service(node)).isEqualTo("healthy");
        }
        try (Admin admin = admin()) {
            await("DescribeCluster lists the three brokers").atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> nodeIds(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)),
                            ids -> ids.equals(KAFKA_PORTS.keySet()));
            DescribeClusterResult cluster = admin.describeCluster();
            for (Node node : cluster.nodes().get(30, TimeUnit.SECONDS)) {
                assertThat(node.host() + ":" + node.port()).as("the address broker %d advertises", node.id())
                        .isEqualTo("localhost:" + KAFKA_PORTS.get(node.id()));
            }
            Node controller = cluster.controller().get(30, TimeUnit.SECONDS);
            assertThat(KAFKA_PORTS).as("the controller").containsKey(controller.id());
            figures.put("controller (DescribeCluster)", "broker " + controller.id());
        }
    }

    @Test
    @Order(2)
    void aTopicOfSixPartitionsIsLedByAllThreeBrokersAndAcknowledgedRecordsAreReadBack() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Optional.of(PARTITIONS), Optional.empty())))
                    .all().get(60, TimeUnit.SECONDS);
            Map<Integer, Integer> leaders = await("a leader for each of the " + PARTITIONS + " partitions")
                    .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> leaders(admin), found -> found.size() == PARTITIONS);
            figures.put("leaders after create (partition → broker)", leaders.toString());
            assertThat(new TreeSet<>(leaders.values())).as("the brokers leading %s: %s", TOPIC, leaders)
                    .isEqualTo(KAFKA_PORTS.keySet());
        }

        long start = System.nanoTime();
        produced.putAll(HostClients.produce(BOOTSTRAP, TOPIC,
                IntStream.range(0, RECORDS).mapToObj(i -> "before-stop-" + i).toList()));
        figures.put(RECORDS + " records produced, acks=all, idempotent", Figures.seconds(System.nanoTime() - start));
        assertThat(HostClients.consumeAll(BOOTSTRAP, TOPIC, PARTITIONS)).containsExactlyInAnyOrderEntriesOf(produced);
    }

    @Test
    @Order(3)
    void prometheusScrapesEachOfTheThreeBrokers() {
        Set<String> expected = KAFKA_PORTS.keySet().stream().map(node -> service(node) + ":9464")
                .collect(Collectors.toCollection(TreeSet::new));
        await("Prometheus reports the three strata targets up").atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
                    Set<String> up = new TreeSet<>();
                    for (JsonNode target : JSON.readTree(HostClients.body("http://localhost:9090/api/v1/targets"))
                            .path("data").path("activeTargets")) {
                        if (target.path("labels").path("job").asText().equals("strata")
                                && target.path("health").asText().equals("up")) {
                            up.add(target.path("labels").path("instance").asText());
                        }
                    }
                    assertThat(up).isEqualTo(expected);
                });
    }

    @Test
    @Order(4)
    void aPlannedStopOfOneBrokerHandsItsPartitionsToTheOthersAndEveryAcknowledgedRecordStaysReadable()
            throws Exception {
        Set<Integer> survivors = new TreeSet<>(KAFKA_PORTS.keySet());
        survivors.remove(STOPPED);
        try (Admin admin = admin()) {
            Map<Integer, Integer> before = leaders(admin);
            assertThat(before).as("partitions led by strata-%d before its stop", STOPPED).containsValue(STOPPED);

            long start = System.nanoTime();
            compose.runOrFail(COMPOSE, "stop", service(STOPPED)); // SIGTERM; SIGKILL after stop_grace_period
            long stop = System.nanoTime() - start;
            figures.put("`stop strata-" + STOPPED + "` (hand-over on SIGTERM, exit)", Figures.seconds(stop));
            assertThat(Duration.ofNanos(stop)).as("the stop, well under the %s grace period", STOP_GRACE)
                    .isLessThan(STOP_GRACE.minusSeconds(10));
            assertThat(compose.exitCode(service(STOPPED)))
                    .as("128 + SIGTERM: strata-%d exited by itself, it was not killed", STOPPED).isEqualTo(143);
            assertThat(compose.logs(service(STOPPED))).contains("Broker stopped");

            await("DescribeCluster lists only the brokers still running").atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> nodeIds(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)),
                            ids -> ids.equals(survivors));
            Map<Integer, Integer> after = await("every partition led by a broker still running")
                    .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> leaders(admin), found -> found.size() == PARTITIONS
                            && survivors.containsAll(found.values()));
            figures.put("`stop` to every partition led by the others", Figures.seconds(System.nanoTime() - start));
            figures.put("leaders after the stop (partition → broker)", after.toString());
        }

        assertThat(HostClients.consumeAll(BOOTSTRAP, TOPIC, PARTITIONS)).as("every acknowledged record")
                .containsExactlyInAnyOrderEntriesOf(produced);
        // And the partitions strata-2 led take writes on their new leaders
        produced.putAll(HostClients.produce(BOOTSTRAP, TOPIC,
                IntStream.range(0, RECORDS / 3).mapToObj(i -> "after-stop-" + i).toList()));
        assertThat(HostClients.consumeAll(BOOTSTRAP, TOPIC, PARTITIONS)).containsExactlyInAnyOrderEntriesOf(produced);
    }

    @Test
    @Order(5)
    void downWithVolumesLeavesNothingBehind() throws IOException {
        compose.downLeavesNothing(LOGS, engineBefore);
    }

    private static String service(int node) {
        return "strata-" + node;
    }

    private static String readyUrl(int node) {
        return "http://localhost:" + HTTP_PORTS.get(node) + "/ready";
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"));
    }

    private static Set<Integer> nodeIds(Collection<Node> nodes) {
        return nodes.stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The topic's partitions that have a leader, partition to the leader's node id. */
    private static Map<Integer, Integer> leaders(Admin admin) throws Exception {
        TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(TOPIC);
        Map<Integer, Integer> leaders = new TreeMap<>();
        for (TopicPartitionInfo partition : topic.partitions()) {
            Node leader = partition.leader();
            if (leader != null && !leader.isEmpty()) {
                leaders.put(partition.partition(), leader.id());
            }
        }
        return leaders;
    }
}
