package io.strata.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.ClusterSettings;
import io.strata.broker.config.Endpoint;
import io.strata.broker.config.TieringSettings;
import io.strata.metadata.postgres.PostgresSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker/docker-compose.yml (the cluster: PostgreSQL, MinIO, brokers strata-1..3), docker/docker-compose.single.yml
 * (one broker) and the monitoring files they mount, read as data: the brokers are configured only with settings
 * they read, and the services fit together (bucket, database, credentials, volumes, ports, health checks, scrape
 * targets, dashboard), and docker/docker-compose.standins.yml only stands in for third-party images. That the
 * files are valid compose is checked by {@code docker-compose config} in .ci/run; that they run, by the deploy
 * module's DockerComposeClusterTest and DockerComposeDeploymentTest.
 */
class DockerComposeFileTest {
    private static final String MONITORING = "monitoring";
    private static final String CLUSTER = "docker/docker-compose.yml";
    private static final String SINGLE = "docker/docker-compose.single.yml";

    @ParameterizedTest
    @ValueSource(strings = {CLUSTER, SINGLE})
    void everyStrataVariableOfEveryServiceIsASettingTheBrokerReads(String file) {
        ComposeFile compose = new ComposeFile(file);
        Map<String, List<String>> unknownByService = new TreeMap<>();
        int strataVariables = 0;
        for (String name : compose.serviceNames()) {
            Map<String, String> environment = compose.environment(name);
            strataVariables += (int) environment.keySet().stream().filter(v -> v.startsWith(BrokerConfig.ENV_PREFIX)).count();
            List<String> unknown = StrataVariables.unknown(environment);
            if (!unknown.isEmpty()) {
                unknownByService.put(name, unknown);
            }
        }

        assertThat(strataVariables).isGreaterThanOrEqualTo(10);
        assertThat(unknownByService).isEmpty();
    }

    @Test
    void theCheckReportsAVariableTheBrokerDoesNotRead() {
        Map<String, String> environment = Map.of(
                "STRATA_S3_ENDPIONT", "http://minio:9000",
                "STRATA_S3_ENDPOINT", "http://minio:9000",
                "STRATA_HTTP_PORT", "9464",
                "STRATA_GROUP_MAX_SIZE", "100",
                "JAVA_OPTS", "-Xmx1g");

        assertThat(StrataVariables.unknown(environment)).containsExactly("STRATA_S3_ENDPIONT");
    }

    @ParameterizedTest
    @ValueSource(strings = {CLUSTER, SINGLE})
    void eachBrokerAcceptsItsSettingsAndAdvertisesTheHostPortItListensOn(String file) {
        ComposeFile compose = new ComposeFile(file);
        Set<Integer> nodeIds = new TreeSet<>();
        Set<Integer> ports = new TreeSet<>();
        for (String broker : compose.brokers()) {
            BrokerConfig config = new BrokerConfig(new Properties(), compose.environment(broker));
            TieringSettings tiering = TieringSettings.from(config);
            Endpoint listener = config.listener();

            assertThat(listener.host()).isEqualTo("0.0.0.0");
            assertThat(config.advertisedListener()).isEqualTo(new Endpoint("PLAINTEXT", "localhost", listener.port()));
            assertThat(config.logDir()).isEqualTo(Path.of("/var/lib/strata"));
            assertThat(config.getInt(BrokerConfig.HTTP_PORT, -1)).isEqualTo(9464);
            assertThat(tiering.enabled()).isTrue();
            assertThat(tiering.s3().endpoint()).contains(URI.create("http://minio:9000"));
            assertThat(tiering.s3().pathStyle()).isTrue();
            assertThat(tiering.s3().hasStaticCredentials()).isTrue();
            nodeIds.add(config.nodeId());
            ports.add(listener.port());
        }
        assertThat(ports).as("one listener port per broker").hasSize(compose.brokers().size()).contains(9092);
        assertThat(nodeIds).as("one node id per broker").hasSize(compose.brokers().size());
    }

    @Test
    void theClusterHasThreeBrokersOnOneBucketAndTheDatabaseThePostgresServiceCreates() {
        ComposeFile compose = new ComposeFile(CLUSTER);
        Map<String, String> postgres = compose.environment("postgres");

        assertThat(compose.brokers()).containsExactly("strata-1", "strata-2", "strata-3");
        for (String broker : compose.brokers()) {
            ClusterSettings cluster = ClusterSettings.from(new BrokerConfig(new Properties(), compose.environment(broker)));
            assertThat(cluster.clustered()).as("%s in cluster mode", broker).isTrue();
            PostgresSettings store = cluster.store().orElseThrow();
            assertThat(store.host()).isEqualTo("postgres");
            assertThat(store.port()).isEqualTo(5432);
            assertThat(store.database()).isEqualTo(postgres.get("POSTGRES_DB"));
            assertThat(store.user()).contains(postgres.get("POSTGRES_USER"));
            assertThat(store.password()).contains(postgres.get("POSTGRES_PASSWORD"));
            assertThat(compose.condition(broker, "postgres")).isEqualTo("service_healthy");
            assertThat(compose.environment(broker).get("STRATA_S3_BUCKET"))
                    .isEqualTo(compose.environment("strata-1").get("STRATA_S3_BUCKET"));
        }
        assertThat(String.join(" ", texts(compose.service("postgres").path("healthcheck").path("test"))))
                .contains("pg_isready");
        assertThat(texts(compose.service("postgres").path("volumes")))
                .contains("postgres-data:/var/lib/postgresql/data");
        assertThat(compose.service("strata-1").path("build").isObject()).as("strata-1 builds the image").isTrue();
        assertThat(compose.brokers()).allSatisfy(broker ->
                assertThat(compose.service(broker).path("image").asText()).isEqualTo("strata:local"));
    }

    @Test
    void theSingleBrokerFileHasNoDatabase() {
        ComposeFile compose = new ComposeFile(SINGLE);

        assertThat(compose.brokers()).containsExactly("strata");
        assertThat(compose.serviceNames()).doesNotContain("postgres");
        assertThat(ClusterSettings.from(new BrokerConfig(new Properties(), compose.environment("strata"))).clustered())
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {CLUSTER, SINGLE})
    void eachBrokerPublishesItsPortsAndIsHealthyWhenReady(String file) {
        ComposeFile compose = new ComposeFile(file);
        for (String broker : compose.brokers()) {
            Map<String, String> environment = compose.environment(broker);
            int kafkaPort = new BrokerConfig(new Properties(), environment).listener().port();
            String httpPort = environment.get(BrokerConfig.keyToEnv(BrokerConfig.HTTP_PORT));

            assertThat(texts(compose.service(broker).path("ports"))).as("ports of %s", broker)
                    .contains(kafkaPort + ":" + kafkaPort).anyMatch(port -> port.endsWith(":" + httpPort));
            assertThat(String.join(" ", texts(compose.service(broker).path("healthcheck").path("test"))))
                    .contains("http://localhost:" + httpPort + "/ready");
        }
        assertThat(compose.service("minio").path("healthcheck").path("test").isMissingNode()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {CLUSTER, SINGLE})
    void namedVolumesAreDeclaredAndEachBrokerKeepsItsDataInOneOfItsOwn(String file) {
        ComposeFile compose = new ComposeFile(file);
        Set<String> declared = new TreeSet<>();
        compose.root.path("volumes").fieldNames().forEachRemaining(declared::add);
        for (String name : compose.serviceNames()) {
            for (JsonNode volume : compose.service(name).path("volumes")) {
                String source = volume.isTextual() ? volume.asText().split(":")[0] : volume.path("source").asText();
                if (!source.startsWith(".") && !source.startsWith("/")) {
                    assertThat(declared).as("volume %s of service %s", source, name).contains(source);
                }
            }
        }

        Set<String> dataVolumes = new TreeSet<>();
        for (String broker : compose.brokers()) {
            String dataDir = compose.environment(broker).get(BrokerConfig.keyToEnv(BrokerConfig.LOG_DIRS));
            texts(compose.service(broker).path("volumes")).stream().filter(v -> v.endsWith(":" + dataDir))
                    .map(v -> v.replace(":" + dataDir, "")).forEach(dataVolumes::add);
        }
        assertThat(dataVolumes).as("one data volume per broker").hasSize(compose.brokers().size());
        assertThat(declared).containsAll(dataVolumes);
    }

    @ParameterizedTest
    @ValueSource(strings = {CLUSTER, SINGLE})
    void theBucketIsCreatedBeforeTheBrokersStartWithTheirBucketNameAndCredentials(String file) {
        ComposeFile compose = new ComposeFile(file);
        String script = String.join(" ", texts(compose.service("createbucket").path("entrypoint")))
                + " " + String.join(" ", texts(compose.service("createbucket").path("command")));
        Matcher alias = Pattern.compile("mc alias set (\\S+) (\\S+) (\\S+) (\\S+)").matcher(script);
        Matcher makeBucket = Pattern.compile("mc mb (?:--\\S+ )*(\\S+)/(\\S+)").matcher(script);
        Map<String, String> minio = compose.environment("minio");

        assertThat(alias.find()).as("mc alias set in: %s", script).isTrue();
        assertThat(makeBucket.find()).as("mc mb in: %s", script).isTrue();
        assertThat(makeBucket.group(1)).isEqualTo(alias.group(1));
        assertThat(compose.condition("createbucket", "minio")).isEqualTo("service_healthy");
        for (String broker : compose.brokers()) {
            Map<String, String> strata = compose.environment(broker);
            assertThat(makeBucket.group(2)).isEqualTo(strata.get("STRATA_S3_BUCKET"));
            assertThat(alias.group(2)).isEqualTo(strata.get("STRATA_S3_ENDPOINT"));
            assertThat(List.of(alias.group(3), alias.group(4)))
                    .containsExactly(minio.get("MINIO_ROOT_USER"), minio.get("MINIO_ROOT_PASSWORD"))
                    .containsExactly(strata.get("STRATA_S3_ACCESS_KEY"), strata.get("STRATA_S3_SECRET_KEY"));
            assertThat(compose.condition(broker, "minio")).isEqualTo("service_healthy");
            assertThat(compose.condition(broker, "createbucket")).isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void theStandInsReplaceOnlyThirdPartyImagesAndCreateTheBrokersBucketWithItsCredentials() {
        JsonNode standins = RepositoryFiles.yaml("docker/docker-compose.standins.yml").path("services");
        List<String> replaced = new ArrayList<>();
        standins.fieldNames().forEachRemaining(replaced::add);
        String script = String.join(" ", texts(standins.path("createbucket").path("command")));
        Matcher put = Pattern.compile("curl .*-X PUT \\$\\$sign (\\S+)/(\\S+)").matcher(script);
        Matcher user = Pattern.compile("--user (\\S+):(\\S+)").matcher(script);
        ComposeFile cluster = new ComposeFile(CLUSTER);
        Map<String, String> strata = cluster.environment("strata-1");

        // The brokers' services are exactly the users'; only images that cannot be pulled here are stood in for
        assertThat(replaced).containsExactlyInAnyOrder("postgres", "minio", "createbucket", "prometheus");
        assertThat(cluster.serviceNames()).containsAll(replaced);
        assertThat(new ComposeFile(SINGLE).serviceNames()).containsAll(
                replaced.stream().filter(name -> !name.equals("postgres")).toList());
        replaced.forEach(name -> assertThat(standins.path(name).path("image").asText()).startsWith("strata-standin/"));
        // And the stand-in creates the bucket the brokers name, at the endpoint and with the credentials they use
        assertThat(put.find()).as("a signed PUT of the bucket in: %s", script).isTrue();
        assertThat(put.group(1)).isEqualTo(strata.get("STRATA_S3_ENDPOINT"));
        assertThat(put.group(2)).isEqualTo(strata.get("STRATA_S3_BUCKET"));
        assertThat(user.find()).isTrue();
        assertThat(List.of(user.group(1), user.group(2)))
                .containsExactly(strata.get("STRATA_S3_ACCESS_KEY"), strata.get("STRATA_S3_SECRET_KEY"));
    }

    @ParameterizedTest
    @ValueSource(strings = {CLUSTER, SINGLE})
    void monitoringStartsOnlyWithItsProfileAndScrapesEachBrokersHttpPort(String file) {
        ComposeFile compose = new ComposeFile(file);
        String mount = texts(compose.service("prometheus").path("volumes")).stream()
                .filter(volume -> volume.endsWith(":/etc/prometheus/prometheus.yml:ro")).findFirst().orElseThrow();
        JsonNode prometheus = RepositoryFiles.yaml("docker/" + mount.substring(2, mount.indexOf(':')));
        List<String> targets = new ArrayList<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
            job.path("static_configs").forEach(c -> targets.addAll(texts(c.path("targets"))));
        }

        for (String name : compose.serviceNames()) {
            List<String> profiles = texts(compose.service(name).path("profiles"));
            assertThat(profiles).as("profiles of %s", name)
                    .isEqualTo(Set.of("prometheus", "grafana").contains(name) ? List.of(MONITORING) : List.of());
        }
        assertThat(targets).containsExactlyInAnyOrderElementsOf(compose.brokers().stream()
                .map(broker -> broker + ":" + compose.environment(broker).get(BrokerConfig.keyToEnv(BrokerConfig.HTTP_PORT)))
                .toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {CLUSTER, SINGLE})
    void grafanaProvisionsTheDashboardOnThePrometheusDataSource(String file) {
        ComposeFile compose = new ComposeFile(file);
        JsonNode dataSource = RepositoryFiles.yaml("docker/grafana/provisioning/datasources/prometheus.yml")
                .path("datasources").get(0);
        JsonNode provider = RepositoryFiles.yaml("docker/grafana/provisioning/dashboards/strata.yml")
                .path("providers").get(0);
        List<JsonNode> panels = GrafanaDashboard.panels();

        assertThat(dataSource.path("url").asText()).isEqualTo("http://prometheus:9090");
        assertThat(texts(compose.service("grafana").path("volumes"))).contains(
                "./grafana/provisioning:/etc/grafana/provisioning:ro",
                "./grafana/dashboards:" + provider.path("options").path("path").asText() + ":ro");
        assertThat(panels).hasSizeGreaterThanOrEqualTo(15).allSatisfy(panel -> {
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo(dataSource.path("uid").asText());
            assertThat(panel.path("targets")).isNotEmpty()
                    .allSatisfy(target -> assertThat(target.path("expr").asText()).isNotBlank());
        });
    }

    @Test
    void theDockerReadmeListsExactlyTheMetricsAndLabelsTheDashboardQueries() {
        assertThat(readmeMetrics()).isEqualTo(GrafanaDashboard.queriedMetrics());
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** One compose file of docker/, read as data. */
    private static final class ComposeFile {
        private final String file;
        private final JsonNode root;

        ComposeFile(String file) {
            this.file = file;
            this.root = RepositoryFiles.yaml(file);
        }

        List<String> serviceNames() {
            List<String> names = new ArrayList<>();
            root.path("services").fieldNames().forEachRemaining(names::add);
            return names;
        }

        /** The brokers: the services named {@code strata} or {@code strata-N}, in the file's order. */
        List<String> brokers() {
            return serviceNames().stream().filter(name -> name.matches("strata(-\\d+)?")).toList();
        }

        JsonNode service(String name) {
            JsonNode service = root.path("services").path(name);
            assertThat(service.isObject()).as("service %s in %s", name, file).isTrue();
            return service;
        }

        String condition(String service, String dependency) {
            return service(service).path("depends_on").path(dependency).path("condition").asText();
        }

        /** A service's environment, written as a map or as a list of {@code NAME=value}. */
        Map<String, String> environment(String name) {
            Map<String, String> environment = new TreeMap<>();
            JsonNode node = service(name).path("environment");
            if (node.isObject()) {
                node.fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
            } else {
                for (JsonNode entry : node) {
                    String[] parts = entry.asText().split("=", 2);
                    environment.put(parts[0], parts.length > 1 ? parts[1] : "");
                }
            }
            return environment;
        }
    }

    /** A scalar as a one-element list, a list of scalars as it is, anything missing as an empty list. */
    private static List<String> texts(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (node.isValueNode()) {
            return List.of(node.asText());
        }
        return StreamSupport.stream(node.spliterator(), false).map(JsonNode::asText).toList();
    }

    /** The first code block of docker/README.md (the metric list): each line {@code name{label,label}}. */
    private static Map<String, Set<String>> readmeMetrics() {
        String readme = RepositoryFiles.read("docker/README.md");
        int start = readme.indexOf("```\n") + 4;
        String block = readme.substring(start, readme.indexOf("```", start));
        Pattern line = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)})?");
        Map<String, Set<String>> metrics = new TreeMap<>();
        block.lines().map(String::strip).filter(text -> !text.isEmpty()).forEach(text -> {
            Matcher matcher = line.matcher(text);
            assertThat(matcher.matches()).as("metric list line in docker/README.md: %s", text).isTrue();
            Set<String> labels = new TreeSet<>();
            if (matcher.group(2) != null) {
                Arrays.stream(matcher.group(2).split(",")).map(String::strip).forEach(labels::add);
            }
            metrics.put(matcher.group(1), labels);
        });
        return metrics;
    }
}
