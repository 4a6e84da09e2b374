package io.strata.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.deploy.Dockerfile.Stage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/Dockerfile, read without a Docker engine: the image runs the jar the Maven build produces, as a
 * non-root user, and builds it with the script CI runs.
 */
class DockerfileTest {
    private static final String BUILD_SCRIPT = "docker/build-broker.sh";
    private static final String IMAGE_JAR = "/opt/strata/strata-broker.jar";

    private final Dockerfile dockerfile = Dockerfile.parse(RepositoryFiles.read("docker/Dockerfile"));

    @Test
    void theImageRunsAsANonRootUser() {
        assertThat(dockerfile.finalStage().user()).hasValueSatisfying(user ->
                assertThat(user.split(":")[0]).isNotIn("root", "0"));
    }

    @Test
    void aUserSetOnlyInTheBuildStageIsNotTheImagesUser() {
        Dockerfile parsed = Dockerfile.parse("""
                FROM maven AS build
                USER builder
                # a comment
                RUN mvn \\
                    # a comment inside a continuation
                    package
                FROM eclipse-temurin:17-jre
                COPY --from=build /src/app.jar /app.jar
                """);

        assertThat(parsed.stage("build").user()).contains("builder");
        assertThat(parsed.stage("build").arguments("RUN")).containsExactly("mvn package");
        assertThat(parsed.finalStage().user()).isEmpty();
    }

    @Test
    void theImageCopiesTheJarTheMavenBuildProduces() {
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>")
                .matcher(RepositoryFiles.read("broker-vertx/pom.xml"));
        assertThat(finalName.find()).as("shade finalName in broker-vertx/pom.xml").isTrue();
        String jar = "broker-vertx/target/" + finalName.group(1) + ".jar";
        Matcher scriptJar = Pattern.compile("(?m)^JAR=(\\S+)$").matcher(RepositoryFiles.read(BUILD_SCRIPT));
        assertThat(scriptJar.find()).as("JAR= in " + BUILD_SCRIPT).isTrue();
        String workdir = dockerfile.stage("build").arguments("WORKDIR").get(0);

        assertThat(scriptJar.group(1)).isEqualTo(jar);
        assertThat(dockerfile.finalStage().arguments("COPY"))
                .contains("--from=build " + workdir + "/" + jar + " " + IMAGE_JAR);
    }

    @Test
    void theBuildStageBuildsWithTheScriptAndCiPreparesAnEngineToBuildTheImage() {
        List<String> ciCommands = RepositoryFiles.read(".ci/run").lines()
                .map(String::strip).filter(line -> !line.startsWith("#")).toList();

        assertThat(dockerfile.stage("build").arguments("RUN")).containsExactly(
                "sh " + BUILD_SCRIPT + " dependencies", "sh " + BUILD_SCRIPT + " package");
        // The deploy module's DockerComposeDeploymentTest builds the image from this Dockerfile and runs it.
        assertThat(ciCommands).anySatisfy(line -> assertThat(line).contains("docker/engine.sh start"));
    }

    @Test
    void theBuildStageCopiesThePomAndSourcesOfEveryModule() {
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(RepositoryFiles.read("pom.xml"));
        List<String> copies = dockerfile.stage("build").arguments("COPY");
        int modules = 0;
        while (module.find()) {
            String name = module.group(1);
            assertThat(copies).contains(name + "/pom.xml " + name + "/", name + "/src " + name + "/src");
            modules++;
        }
        assertThat(modules).isGreaterThanOrEqualTo(4);
        assertThat(copies).contains("pom.xml ./", BUILD_SCRIPT + " docker/");
    }

    @Test
    void theImageExposesKafkaAndHttpAndChecksHealth() {
        Stage image = dockerfile.finalStage();
        List<String> exposed = image.arguments("EXPOSE").stream()
                .flatMap(ports -> Arrays.stream(ports.split("\\s+"))).toList();

        assertThat(exposed).contains("9092", "9464");
        assertThat(String.join(" ", image.arguments("ENV"))).contains("STRATA_HTTP_PORT=\"9464\"");
        assertThat(image.arguments("HEALTHCHECK")).singleElement().asString()
                .contains("CMD curl -fsS \"http://localhost:${STRATA_HTTP_PORT}/health\"");
        assertThat(image.arguments("VOLUME")).containsExactly("/var/lib/strata");
    }

    @Test
    void theImagesStrataVariablesAreSettingsTheBrokerReads() {
        Map<String, String> environment = new TreeMap<>();
        Matcher variable = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)")
                .matcher(String.join(" ", dockerfile.finalStage().arguments("ENV")));
        while (variable.find()) {
            environment.put(variable.group(1), variable.group(2).replace("\"", ""));
        }

        assertThat(environment).containsKeys("JAVA_OPTS", "STRATA_LISTENERS", "STRATA_LOG_DIRS", "STRATA_HTTP_PORT");
        assertThat(StrataVariables.unknown(environment)).isEmpty();
        assertThat(environment.get("STRATA_LOG_DIRS")).isEqualTo(dockerfile.finalStage().arguments("VOLUME").get(0));
    }

    @Test
    void theEntrypointExecsJavaWithJavaOpts() {
        Stage image = dockerfile.finalStage();

        assertThat(image.arguments("COPY")).contains("docker/entrypoint.sh /usr/local/bin/strata");
        assertThat(image.arguments("ENTRYPOINT")).containsExactly("[\"strata\"]");
        assertThat(image.arguments("CMD")).containsExactly("[\"serve\"]");
        assertThat(RepositoryFiles.read("docker/entrypoint.sh").lines())
                .contains("exec java ${JAVA_OPTS:-} -jar " + IMAGE_JAR + " \"$@\"");
    }

    @Test
    void theBuildContextLeavesOutBuildOutputAndData() {
        assertThat(RepositoryFiles.read(".dockerignore").lines())
                .contains(".git", "**/target", "**/data", "**/node_modules");
    }
}
