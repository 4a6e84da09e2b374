package io.strata.deploy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The Docker-compatible engine the deployment tests drive, through the {@code docker} CLI and compose, as a
 * user would. {@code docker/engine.sh} prepares it (a real Docker, or podman serving the Docker API where there
 * is none); when no engine answers, the tests are skipped with the reason, and under {@code CI=true} they fail.
 */
final class Engine {

    /** The repository's root: the build context and the home of {@code docker/}. */
    static final Path ROOT = Path.of(System.getProperty("deploy.repository.root", "..")).toAbsolutePath().normalize();

    /** Where logs and figures go ({@code deploy/target}). */
    static final Path RESULTS = Path.of(System.getProperty("deploy.results.dir", "target")).toAbsolutePath();

    /** The tag the compose file gives the broker's image. */
    static final String BROKER_IMAGE = "strata:local";

    private static final Duration SHORT = Duration.ofSeconds(60);

    /** Set once this JVM has built the images: every test class needs them, one build serves all. */
    private static boolean built;

    private Engine() {
    }

    /** Fails (CI) or skips the test unless a Docker API answers and compose and kcat are installed. */
    static void require() {
        requireThat(onPath("docker").isPresent(), "the docker CLI is not installed");
        Command.Result version = docker(List.of("version", "--format", "{{.Server.Version}}"), SHORT);
        requireThat(version.succeeded(), "no Docker engine answers (DOCKER_HOST="
                + Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse("unset")
                + "); prepare one with: eval \"$(docker/engine.sh start)\"");
        requireThat(!compose().isEmpty(), "neither docker-compose nor the docker compose plugin is installed");
        requireThat(onPath("kcat").isPresent(), "kcat is not installed (apt-get install kcat)");
    }

    /** The compose command: Debian's docker-compose, else the docker CLI's compose plugin. */
    static List<String> compose() {
        if (onPath("docker-compose").isPresent()) {
            return List.of("docker-compose");
        }
        if (docker(List.of("compose", "version"), SHORT).succeeded()) {
            return List.of("docker", "compose");
        }
        return List.of();
    }

    /**
     * The images the compose file names, or their stand-ins, then the broker's image from docker/Dockerfile
     * (rebuilt on every run, so the test never runs a stale image; the engine's layer cache keeps it short).
     */
    static synchronized void buildImages() {
        if (built) {
            return;
        }
        try {
            Files.createDirectories(RESULTS);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path engine = ROOT.resolve("docker/engine.sh");
        for (String step : List.of("images", "build")) {
            Path log = RESULTS.resolve("engine-" + step + ".log");
            int exit = Command.runLogged(List.of(engine.toString(), step), ROOT, log, Duration.ofMinutes(20));
            if (exit != 0) {
                throw new AssertionError("docker/engine.sh " + step + " failed with exit code " + exit
                        + "; its output is in " + log);
            }
        }
        built = true;
    }

    /** Every container, volume and network the engine has, one per line as "kind name". */
    static List<String> inventory() {
        List<String> found = new java.util.ArrayList<>();
        for (List<String> listing : List.of(
                List.of("ps", "-a", "--format", "container {{.Names}}"),
                List.of("volume", "ls", "--format", "volume {{.Name}}"),
                List.of("network", "ls", "--format", "network {{.Name}}"))) {
            docker(listing, SHORT).stdoutOrFail().lines().filter(line -> !line.isBlank()).forEach(found::add);
        }
        return found;
    }

    /** A container's health as the engine reports it: starting, healthy, unhealthy, or none. */
    static String health(String container) {
        return docker(List.of("inspect", "--format",
                "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", container), SHORT)
                .stdoutOrFail().trim();
    }

    /** True when this engine has {@code image} (pulled or built here). */
    static boolean hasImage(String image) {
        return docker(List.of("image", "inspect", image), SHORT).succeeded();
    }

    /** The size of {@code image} in bytes, as the engine reports it. */
    static long imageSize(String image) {
        return Long.parseLong(docker(List.of("image", "inspect", "--format", "{{.Size}}", image), SHORT)
                .stdoutOrFail().trim());
    }

    static Command.Result docker(List<String> args, Duration timeout) {
        List<String> command = new java.util.ArrayList<>();
        command.add("docker");
        command.addAll(args);
        return Command.run(command, ROOT, "", timeout);
    }

    /** Skips the test with {@code reason}, or fails it under {@code CI=true}: CI must run the deployment. */
    static void requireThat(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(reason + ", and CI=true: CI must run the deployment tests");
        }
        Assumptions.abort(reason + "; skipping");
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
