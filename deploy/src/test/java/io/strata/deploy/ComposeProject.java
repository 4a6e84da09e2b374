package io.strata.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One compose project brought up from the repository's compose files, under its own project name (so its
 * containers, volumes and network never mix with a user's), with the stand-ins layered over the real file
 * when the engine has no MinIO image.
 */
final class ComposeProject {

    private final String name;
    private final List<String> files;
    private final List<String> profiles;

    ComposeProject(String name, List<String> files, List<String> profiles) {
        this.name = name;
        this.files = List.copyOf(files);
        this.profiles = List.copyOf(profiles);
    }

    /**
     * The user's compose {@code file} ({@code docker/docker-compose.yml}, the cluster, or
     * {@code docker/docker-compose.single.yml}) with {@code profiles}, plus {@code docker/docker-compose.standins.yml}
     * when the engine cannot offer MinIO's image.
     */
    static ComposeProject of(String name, String file, List<String> profiles) {
        List<String> files = new ArrayList<>(List.of(file));
        if (usesStandins()) {
            files.add("docker/docker-compose.standins.yml");
        }
        return new ComposeProject(name, files, profiles);
    }

    /** True when the third-party images are stood in for (the engine has no {@code minio/minio} image). */
    static boolean usesStandins() {
        return !Engine.hasImage("minio/minio:latest");
    }

    String name() {
        return name;
    }

    List<String> files() {
        return files;
    }

    /** Runs compose with this project's name, files and profiles, then {@code args}. */
    Command.Result run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(Engine.compose());
        command.addAll(List.of("-p", name));
        for (String file : files) {
            command.addAll(List.of("-f", file));
        }
        for (String profile : profiles) {
            command.addAll(List.of("--profile", profile));
        }
        command.addAll(List.of(args));
        return Command.run(command, Engine.ROOT, "", timeout);
    }

    /** {@code run}, failing with what compose printed unless it exits 0; its standard output. */
    String runOrFail(Duration timeout, String... args) {
        return run(timeout, args).stdoutOrFail();
    }

    /** {@code exec -T service command...}: what the command printed, failing unless it exits 0. */
    String exec(String service, String... command) {
        List<String> args = new ArrayList<>(List.of("exec", "-T", service));
        args.addAll(List.of(command));
        return runOrFail(Duration.ofMinutes(2), args.toArray(String[]::new));
    }

    /** The id of the container of {@code service}. */
    String containerId(String service) {
        String id = runOrFail(Duration.ofSeconds(60), "ps", "-q", service).trim();
        if (id.isEmpty()) {
            throw new AssertionError("compose project " + name + " has no container for service " + service);
        }
        return id;
    }

    /** {@code service}'s health as the engine reports it: starting, healthy, unhealthy, or none. */
    String health(String service) {
        return Engine.health(containerId(service));
    }

    /** Everything {@code service} logged, in every run of its container. */
    String logs(String service) {
        return runOrFail(Duration.ofSeconds(60), "logs", "--no-color", service);
    }

    /**
     * Brings down (with volumes) what an interrupted earlier run of this project left; the engine's containers,
     * volumes and networks after that, for {@link #downLeavesNothing}.
     */
    List<String> clearEarlierRun() {
        run(Duration.ofMinutes(5), "down", "-v", "--remove-orphans");
        return Engine.inventory();
    }

    /**
     * {@code up -d}: every service of the files and profiles, or, where the stand-ins are used,
     * {@code standinServices} only (there is no Grafana stand-in, and the stand-ins file names services that a
     * file may not have).
     */
    void up(List<String> standinServices) {
        List<String> args = new ArrayList<>(List.of("up", "-d"));
        if (usesStandins()) {
            args.addAll(standinServices);
        }
        runOrFail(Duration.ofMinutes(5), args.toArray(String[]::new));
    }

    /**
     * {@code down -v}, checked: nothing labelled with this project is left, and the engine has exactly the
     * containers, volumes and networks it had {@code before} (from {@link #clearEarlierRun}). The logs are saved to
     * {@code deploy/target/<logs>} first.
     */
    void downLeavesNothing(String logs, List<String> before) throws IOException {
        saveLogs(logs);
        runOrFail(Duration.ofMinutes(5), "down", "-v", "--remove-orphans");
        assertThat(leftovers()).isEmpty();
        assertThat(Engine.inventory()).as("containers, volumes and networks after down -v")
                .containsExactlyInAnyOrderElementsOf(before);
    }

    /**
     * After the tests, whatever happened: the logs saved to {@code deploy/target/<logs>}, {@code down -v}, and the
     * figures written.
     */
    void tearDown(String logs, Figures figures) throws IOException {
        try {
            saveLogs(logs);
        } finally {
            try {
                run(Duration.ofMinutes(5), "down", "-v", "--remove-orphans");
            } finally {
                figures.write();
            }
        }
    }

    /**
     * Waits (three minutes at most) until {@code url}, served by {@code service} on a published port, answers 200;
     * fails at once, with the end of its log, if {@code service}'s container stops running meanwhile.
     */
    void awaitReady(String service, String url) {
        await(service + "'s " + url).atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (HostClients.status(url) == 200) {
                return true;
            }
            if (!running(service)) {
                List<String> log = logs(service).lines().toList();
                throw new AssertionError(service + " stopped (exit code " + exitCode(service) + ") before " + url
                        + " answered; the end of its log:\n"
                        + String.join("\n", log.subList(Math.max(0, log.size() - 20), log.size())));
            }
            return false;
        });
    }

    /** True while {@code service}'s container runs. */
    boolean running(String service) {
        return Engine.docker(List.of("inspect", "--format", "{{.State.Running}}", containerId(service)),
                Duration.ofSeconds(60)).stdoutOrFail().trim().equals("true");
    }

    /** Waits (three minutes at most) until the engine reports {@code service}'s container healthy. */
    void awaitHealthy(String service) {
        await(service + "'s container healthy").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> health(service).equals("healthy"));
    }

    /** The exit code of {@code service}'s container (meaningful once it has stopped). */
    int exitCode(String service) {
        return Integer.parseInt(Engine.docker(List.of("inspect", "--format", "{{.State.ExitCode}}", containerId(service)),
                Duration.ofSeconds(60)).stdoutOrFail().trim());
    }

    /**
     * Every service's log so far, in {@code deploy/target/<file>}; nothing when the project is down already (so
     * that what an earlier call saved is kept).
     */
    void saveLogs(String file) throws IOException {
        if (run(Duration.ofMinutes(1), "ps", "-q").stdout().isBlank()) {
            return;
        }
        Command.Result logs = run(Duration.ofMinutes(1), "logs", "--no-color");
        if (!logs.stdout().isBlank()) {
            Files.writeString(Engine.RESULTS.resolve(file), logs.stdout() + logs.stderr());
        }
    }

    /** The engine's objects (containers, volumes, networks) labelled with this project's name. */
    List<String> leftovers() {
        List<String> found = new ArrayList<>();
        String label = "label=com.docker.compose.project=" + name;
        for (List<String> listing : List.of(
                List.of("ps", "-a", "--filter", label, "--format", "container {{.Names}}"),
                List.of("volume", "ls", "--filter", label, "--format", "volume {{.Name}}"),
                List.of("network", "ls", "--filter", label, "--format", "network {{.Name}}"))) {
            String out = Engine.docker(listing, Duration.ofSeconds(60)).stdoutOrFail();
            out.lines().filter(line -> !line.isBlank()).forEach(found::add);
        }
        return found;
    }
}
