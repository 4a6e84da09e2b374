package io.strata.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker's image on its own, as {@code docker run strata:local} starts it: the defaults of the Dockerfile
 * (no outside service: the embedded S3 server), its own {@code HEALTHCHECK}, the unprivileged user, and
 * {@code docker stop}'s SIGTERM reaching the JVM through the entrypoint.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BrokerImageTest {

    private static final String CONTAINER = "strata-image-test";

    @BeforeEach
    void build() {
        Engine.require();
        Engine.buildImages();
        Engine.docker(List.of("rm", "-f", "-v", CONTAINER), Duration.ofMinutes(1)); // an interrupted run's
    }

    @AfterEach
    void remove() {
        Engine.docker(List.of("rm", "-f", "-v", CONTAINER), Duration.ofMinutes(1));
    }

    @Test
    void theImageRunsOnItsDefaultsTurnsHealthyByItsOwnCheckAndStopsCleanlyOnSigterm() {
        Engine.docker(List.of("run", "-d", "--name", CONTAINER, Engine.BROKER_IMAGE), Duration.ofMinutes(1))
                .stdoutOrFail();

        // The Dockerfile's HEALTHCHECK (curl /health), run by the engine
        await("the container healthy by the image's HEALTHCHECK").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500)).until(() -> Engine.health(CONTAINER).equals("healthy"));
        // /health answers as soon as the process lives; /ready once the broker listens
        await("the broker ready").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> Engine.docker(List.of("exec", CONTAINER, "curl", "-fsS", "http://localhost:9464/ready"),
                        Duration.ofSeconds(30)).succeeded());
        assertThat(exec("id", "-un")).isEqualTo("strata");
        assertThat(exec("cat", "/proc/1/comm")).isEqualTo("java");

        // docker stop sends SIGTERM to PID 1: the JVM shuts down cleanly well before the 30 s kill
        long start = System.nanoTime();
        Engine.docker(List.of("stop", "-t", "30", CONTAINER), Duration.ofMinutes(1)).stdoutOrFail();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
        String exitCode = Engine.docker(List.of("inspect", "--format", "{{.State.ExitCode}}", CONTAINER),
                Duration.ofMinutes(1)).stdoutOrFail().trim();
        assertThat(exitCode).as("128 + SIGTERM: the JVM ran its shutdown hooks and exited").isEqualTo("143");
        Command.Result logs = Engine.docker(List.of("logs", CONTAINER), Duration.ofMinutes(1));
        assertThat(logs.stdout() + logs.stderr()).contains("listening on").contains("Broker stopped");
    }

    private static String exec(String... command) {
        List<String> args = new java.util.ArrayList<>(List.of("exec", CONTAINER));
        args.addAll(List.of(command));
        return Engine.docker(args, Duration.ofMinutes(1)).stdoutOrFail().trim();
    }
}
