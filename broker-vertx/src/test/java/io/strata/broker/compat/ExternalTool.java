package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A command-line program a compatibility test drives (kcat, node with kafkajs). When it is missing the test is
 * skipped with a visible reason, except under {@code CI=true}, where it fails: CI must install it.
 */
final class ExternalTool {

    /** What a finished run printed. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit code " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** The folder of the kafkajs scripts and their package.json ({@code npm ci} there installs kafkajs). */
    static final Path JS_DIR = Path.of("src", "test", "js").toAbsolutePath();

    private ExternalTool() {
    }

    /** kcat on the PATH; skips (or under CI fails) the test when there is none. */
    static Path kcat() {
        return require("kcat", "apt-get install kcat");
    }

    /**
     * node on the PATH, to run a script of {@link #JS_DIR}; skips (or under CI fails) the test when node or
     * the kafkajs package is missing.
     */
    static Path nodeWithKafkajs() {
        Path node = require("node", "apt-get install nodejs");
        requireThat(Files.isDirectory(JS_DIR.resolve("node_modules").resolve("kafkajs")),
                "kafkajs is not installed (run npm ci in " + JS_DIR + ")");
        return node;
    }

    /** The executable {@code name} on the PATH; skips (or under CI fails) the test when there is none. */
    private static Path require(String name, String installHint) {
        Optional<Path> found = onPath(name);
        requireThat(found.isPresent(), name + " is not installed (" + installHint + ")");
        return found.orElseThrow();
    }

    /** Skips (or under CI fails) the test with {@code reason} unless {@code condition} holds. */
    private static void requireThat(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + ", and CI=true: CI must provide it");
        }
        Assumptions.abort(reason + "; skipping");
    }

    private static Optional<Path> onPath(String name) {
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

    /** Runs {@code command} in {@code workDir} with {@code stdin}; kills it and fails after {@code timeout}. */
    static Result run(List<String> command, Path workDir, String stdin, Duration timeout)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            fail(command + " did not finish within " + timeout + "; stderr so far:\n" + err.getNow(""));
        }
        try {
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("Could not collect the output of " + command, e);
        }
    }

    private static String readAll(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
