package io.strata.broker.compat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Strata broker in its own JVM ({@code java -cp <test classpath> io.strata.broker.StrataMain --config
 * FILE}), so that tests can kill it with SIGKILL. Its stdout and stderr are kept in memory
 * ({@link #log()}) and echoed to this JVM's stdout with a prefix. Not thread-safe.
 */
final class BrokerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on \\S+ \\(advertised ([^:\\s]+):(\\d+)\\)");
    private static final long START_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread pump;
    private String bootstrap;

    private BrokerProcess(Process process) {
        this.process = process;
        this.pump = new Thread(this::pumpOutput, "broker-process-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts a broker with {@code properties} (plus {@code log.dirs=dataDir}), written to a config file beside
     * the data directory, and waits until it listens.
     */
    static BrokerProcess start(Path dataDir, Map<String, String> properties) throws IOException, InterruptedException {
        return start(dataDir, properties, List.of());
    }

    /**
     * As {@link #start(Path, Map)}, with {@code jvmOptions} after the defaults (so {@code -Xmx256m} there
     * replaces the default {@code -Xmx512m}).
     */
    static BrokerProcess start(Path dataDir, Map<String, String> properties, List<String> jvmOptions)
            throws IOException, InterruptedException {
        return start(dataDir, properties, jvmOptions, 0);
    }

    /**
     * As {@link #start(Path, Map, List)}, with at most {@code openFilesLimit} open files ({@code ulimit -n}, set
     * by {@code /bin/sh} before it execs the JVM, so the pid stays the broker's); 0 keeps this JVM's limit.
     */
    static BrokerProcess start(Path dataDir, Map<String, String> properties, List<String> jvmOptions,
                               int openFilesLimit) throws IOException, InterruptedException {
        BrokerProcess broker = launch(dataDir, defaultConfigFile(dataDir), properties, jvmOptions, openFilesLimit);
        try {
            broker.awaitListening();
        } catch (RuntimeException | InterruptedException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** As {@link #start}, without waiting for anything: for a broker expected to fail ({@link #awaitExitCode}). */
    static BrokerProcess launch(Path dataDir, Map<String, String> properties) throws IOException {
        return launch(dataDir, defaultConfigFile(dataDir), properties);
    }

    /** As {@link #launch(Path, Map)}, with the config file written to {@code configFile}. */
    static BrokerProcess launch(Path dataDir, Path configFile, Map<String, String> properties) throws IOException {
        return launch(dataDir, configFile, properties, List.of(), 0);
    }

    private static Path defaultConfigFile(Path dataDir) {
        return dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".properties");
    }

    private static BrokerProcess launch(Path dataDir, Path configFile, Map<String, String> properties,
                                        List<String> jvmOptions, int openFilesLimit) throws IOException {
        Properties config = new Properties();
        config.put("listeners", "PLAINTEXT://127.0.0.1:0");
        config.put("http.port", "0");
        // Tiering on, as by default, with the embedded S3 server on a free port.
        config.put("s3.embedded.port", "0");
        config.putAll(properties);
        config.put("log.dirs", dataDir.toAbsolutePath().toString());
        try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            config.store(out, "written by BrokerProcess");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        if (openFilesLimit > 0) {
            command.addAll(List.of("/bin/sh", "-c", "ulimit -n " + openFilesLimit + " && exec \"$@\"", "sh"));
        }
        command.addAll(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.strata.broker.StrataMain",
                "--config", configFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("STRATA_"));
        return new BrokerProcess(builder.start());
    }

    /** A free port on 127.0.0.1 right now, for a broker that must come back on the same port after a restart. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private synchronized void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (bootstrap == null) {
            if (!process.isAlive() && !pump.isAlive()) {
                throw new IllegalStateException("The broker exited with " + process.exitValue() + " before listening:\n"
                        + String.join("\n", lines));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("The broker did not listen within " + START_TIMEOUT_SECONDS + " s:\n"
                        + String.join("\n", lines));
            }
            wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)))));
        }
    }

    private void pumpOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("[broker " + process.pid() + "] " + line);
                synchronized (this) {
                    lines.add(line);
                    Matcher matcher = LISTENING.matcher(line);
                    if (bootstrap == null && matcher.find()) {
                        bootstrap = matcher.group(1) + ":" + matcher.group(2);
                    }
                    notifyAll();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code host:port} to bootstrap clients from. */
    synchronized String bootstrapServers() {
        return bootstrap;
    }

    /** Everything the broker printed so far. */
    synchronized String log() {
        return String.join("\n", lines);
    }

    long pid() {
        return process.pid();
    }

    /**
     * SIGTERM (a clean shutdown); waits for the process to exit and for its last output. Signals go through
     * the {@link ProcessHandle}: {@link Process#destroy()} would also close the output pipe, losing the
     * shutdown log.
     */
    void stop() throws InterruptedException {
        process.toHandle().destroy();
        awaitExit();
    }

    /** SIGKILL: the process dies at once, leaving its page-cache writes behind but running no shutdown code. */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        awaitExit();
    }

    private void awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("The broker " + process.pid() + " did not exit within 60 s");
        }
        pump.join(10_000);
    }

    /**
     * Waits at most {@code timeoutSeconds} for the process to exit by itself and returns its exit code, once its
     * output is read; fails if it is still running then (it is killed).
     */
    int awaitExitCode(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            kill();
            throw new IllegalStateException("The broker " + process.pid() + " was still running after "
                    + timeoutSeconds + " s:\n" + log());
        }
        pump.join(10_000);
        return process.exitValue();
    }

    /** Whether the process has exited. */
    boolean exited() {
        return !process.isAlive();
    }

    /** Whether the broker printed its listening line. */
    synchronized boolean listening() {
        return bootstrap != null;
    }

    /** Kills the process if it is still running. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
