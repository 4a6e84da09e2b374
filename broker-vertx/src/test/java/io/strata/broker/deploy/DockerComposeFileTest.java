package io.strata.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.Endpoint;
import io.strata.broker.config.TieringSettings;
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

/**
 * docker/docker-compose.yml and the monitoring files it mounts, read as data: the broker is configured only
 * with settings it reads, and the services fit together (bucket, credentials, volumes, ports, health checks,
 * scrape target, dashboard), and docker/docker-compose.standins.yml only stands in for third-party images. That
 * the files are valid compose is checked by {@code docker-compose config} in .ci/run; that they run, by the
 * deploy module's DockerComposeDeploymentTest.
 */
class DockerComposeFileTest {
    private static final String MONITORING = "monitoring";

    private final JsonNode compose = RepositoryFiles.yaml("docker/docker-compose.yml");
    private final Map<String, String> strata = environment(service("strata"));

    @Test
    void everyStrataVariableOfEveryServiceIsASettingTheBrokerReads() {
        Map<String, List<String>> unknownByService = new TreeMap<>();
        int strataVariables = 0;
        for (String name : serviceNames()) {
            Map<String, String> environment = environment(service(name));
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

    @Test
    void theBrokerAcceptsItsSettings() {
        BrokerConfig config = new BrokerConfig(new Properties(), strata);
        TieringSettings tiering = TieringSettings.from(config);

        assertThat(config.listener()).isEqualTo(new Endpoint("PLAINTEXT", "0.0.0.0", 9092));
        assertThat(config.advertisedListener()).isEqualTo(new Endpoint("PLAINTEXT", "localhost", 9092));
        assertThat(config.logDir()).isEqualTo(Path.of("/var/lib/strata"));
        assertThat(config.getInt(BrokerConfig.HTTP_PORT, -1)).isEqualTo(9464);
        assertThat(tiering.enabled()).isTrue();
        assertThat(tiering.s3().endpoint()).contains(URI.create("http://minio:9000"));
        assertThat(tiering.s3().pathStyle()).isTrue();
        assertThat(tiering.s3().hasStaticCredentials()).isTrue();
    }

    @Test
    void theBrokerPublishesItsPortsAndIsHealthyWhenReady() {
        JsonNode broker = service("strata");
        String httpPort = strata.get(BrokerConfig.keyToEnv(BrokerConfig.HTTP_PORT));

        assertThat(texts(broker.path("ports"))).contains("9092:9092", httpPort + ":" + httpPort);
        assertThat(String.join(" ", texts(broker.path("healthcheck").path("test"))))
                .contains("http://localhost:" + httpPort + "/ready");
        assertThat(service("minio").path("healthcheck").path("test").isMissingNode()).isFalse();
    }

    @Test
    void namedVolumesAreDeclaredAndTheBrokerKeepsItsDataInOne() {
        Set<String> declared = new TreeSet<>();
        compose.path("volumes").fieldNames().forEachRemaining(declared::add);
        for (String name : serviceNames()) {
            for (JsonNode volume : service(name).path("volumes")) {
                String source = volume.isTextual() ? volume.asText().split(":")[0] : volume.path("source").asText();
                if (!source.startsWith(".") && !source.startsWith("/")) {
                    assertThat(declared).as("volume %s of service %s", source, name).contains(source);
                }
            }
        }

        String dataDir = strata.get(BrokerConfig.keyToEnv(BrokerConfig.LOG_DIRS));
        assertThat(texts(service("strata").path("volumes")))
                .anySatisfy(volume -> assertThat(declared).contains(volume.replace(":" + dataDir, "")));
    }

    @Test
    void theBucketIsCreatedBeforeTheBrokerStartsWithTheBrokersNameAndCredentials() {
        String script = String.join(" ", texts(service("createbucket").path("entrypoint")))
                + " " + String.join(" ", texts(service("createbucket").path("command")));
        Matcher alias = Pattern.compile("mc alias set (\\S+) (\\S+) (\\S+) (\\S+)").matcher(script);
        Matcher makeBucket = Pattern.compile("mc mb (?:--\\S+ )*(\\S+)/(\\S+)").matcher(script);
        Map<String, String> minio = environment(service("minio"));

        assertThat(alias.find()).as("mc alias set in: %s", script).isTrue();
        assertThat(makeBucket.find()).as("mc mb in: %s", script).isTrue();
        assertThat(makeBucket.group(1)).isEqualTo(alias.group(1));
        assertThat(makeBucket.group(2)).isEqualTo(strata.get("STRATA_S3_BUCKET"));
        assertThat(alias.group(2)).isEqualTo(strata.get("STRATA_S3_ENDPOINT"));
        assertThat(List.of(alias.group(3), alias.group(4)))
                .containsExactly(minio.get("MINIO_ROOT_USER"), minio.get("MINIO_ROOT_PASSWORD"))
                .containsExactly(strata.get("STRATA_S3_ACCESS_KEY"), strata.get("STRATA_S3_SECRET_KEY"));
        assertThat(condition("createbucket", "minio")).isEqualTo("service_healthy");
        assertThat(condition("strata", "minio")).isEqualTo("service_healthy");
        assertThat(condition("strata", "createbucket")).isEqualTo("service_completed_successfully");
    }

    @Test
    void theStandInsReplaceOnlyThirdPartyImagesAndCreateTheBrokersBucketWithItsCredentials() {
        JsonNode standins = RepositoryFiles.yaml("docker/docker-compose.standins.yml").path("services");
        List<String> replaced = new ArrayList<>();
        standins.fieldNames().forEachRemaining(replaced::add);
        String script = String.join(" ", texts(standins.path("createbucket").path("command")));
        Matcher put = Pattern.compile("curl .*-X PUT \\$\\$sign (\\S+)/(\\S+)").matcher(script);
        Matcher user = Pattern.compile("--user (\\S+):(\\S+)").matcher(script);

        // The broker's service is exactly the users'; only images that cannot be pulled here are stood in for
        assertThat(replaced).containsExactlyInAnyOrder("minio", "createbucket", "prometheus");
        assertThat(serviceNames()).containsAll(replaced);
        replaced.forEach(name -> assertThat(standins.path(name).path("image").asText()).startsWith("strata-standin/"));
        // And the stand-in creates the bucket the broker names, at the endpoint and with the credentials it uses
        assertThat(put.find()).as("a signed PUT of the bucket in: %s", script).isTrue();
        assertThat(put.group(1)).isEqualTo(strata.get("STRATA_S3_ENDPOINT"));
        assertThat(put.group(2)).isEqualTo(strata.get("STRATA_S3_BUCKET"));
        assertThat(user.find()).isTrue();
        assertThat(List.of(user.group(1), user.group(2)))
                .containsExactly(strata.get("STRATA_S3_ACCESS_KEY"), strata.get("STRATA_S3_SECRET_KEY"));
    }

    @Test
    void monitoringStartsOnlyWithItsProfileAndScrapesTheBrokersHttpPort() {
        JsonNode prometheus = RepositoryFiles.yaml("docker/prometheus/prometheus.yml");
        List<String> targets = new ArrayList<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
            job.path("static_configs").forEach(c -> targets.addAll(texts(c.path("targets"))));
        }

        for (String name : serviceNames()) {
            List<String> profiles = texts(service(name).path("profiles"));
            assertThat(profiles).as("profiles of %s", name)
                    .isEqualTo(Set.of("prometheus", "grafana").contains(name) ? List.of(MONITORING) : List.of());
        }
        assertThat(targets).containsExactly("strata:" + strata.get(BrokerConfig.keyToEnv(BrokerConfig.HTTP_PORT)));
        assertThat(texts(service("prometheus").path("volumes")))
                .contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    }

    @Test
    void grafanaProvisionsTheDashboardOnThePrometheusDataSource() {
        JsonNode dataSource = RepositoryFiles.yaml("docker/grafana/provisioning/datasources/prometheus.yml")
                .path("datasources").get(0);
        JsonNode provider = RepositoryFiles.yaml("docker/grafana/provisioning/dashboards/strata.yml")
                .path("providers").get(0);
        List<JsonNode> panels = GrafanaDashboard.panels();

        assertThat(dataSource.path("url").asText()).isEqualTo("http://prometheus:9090");
        assertThat(texts(service("grafana").path("volumes"))).contains(
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

    private List<String> serviceNames() {
        List<String> names = new ArrayList<>();
        compose.path("services").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private JsonNode service(String name) {
        JsonNode service = compose.path("services").path(name);
        assertThat(service.isObject()).as("service %s in docker-compose.yml", name).isTrue();
        return service;
    }

    private String condition(String service, String dependency) {
        return service(service).path("depends_on").path(dependency).path("condition").asText();
    }

    /** A service's environment, written as a map or as a list of {@code NAME=value}. */
    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> environment = new TreeMap<>();
        JsonNode node = service.path("environment");
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
