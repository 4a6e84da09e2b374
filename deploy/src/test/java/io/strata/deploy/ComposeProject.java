package io.strata.deploy;

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
     * The user's {@code docker/docker-compose.yml} with {@code profiles}, plus
     * {@code docker/docker-compose.standins.yml} when the engine cannot offer MinIO's image.
     */
    static ComposeProject of(String name, List<String> profiles) {
        List<String> files = new ArrayList<>(List.of("docker/docker-compose.yml"));
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
