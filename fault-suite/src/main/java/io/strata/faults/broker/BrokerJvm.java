package io.strata.faults.broker;

import io.strata.faults.report.CampaignReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Strata broker in its own JVM ({@code java -cp <this JVM's classpath> io.strata.broker.StrataMain --config
 * FILE}), so that a fault can SIGKILL it or start it with {@code LD_PRELOAD}. Its output is kept in memory
 * ({@link #log()}) and appended to {@code <results dir>/broker-logs/<dataDir's parent>-<dataDir>.log}
 * (see {@link CampaignReport#resultsDir()}), which outlives the test's temporary directory. Same approach as broker-vertx's test
 * {@code BrokerProcess}, plus an environment for the child. Not thread-safe, except {@link #log()}.
 */
public final class BrokerJvm implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on \\S+ \\(advertised ([^:\\s]+):(\\d+)\\)");
    private static final long START_TIMEOUT_SECONDS = 90;
    private static final long EXIT_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread pump;
    private final PrintWriter logFile;
    private String bootstrap;

    private BrokerJvm(Process process, PrintWriter logFile) {
        this.process = process;
        this.logFile = logFile;
        this.pump = new Thread(this::pumpOutput, "broker-output-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts a broker with {@code properties} (plus {@code log.dirs=dataDir}; by default any free ports and the
     * embedded S3 server), written to {@code <dataDir>.properties}, with {@code environment} added to the child's,
     * and waits until it listens.
     */
    public static BrokerJvm start(Path dataDir, Map<String, String> properties, Map<String, String> environment)
            throws IOException, InterruptedException {
        Path dir = dataDir.toAbsolutePath();
        Properties config = new Properties();
        config.put("listeners", "PLAINTEXT://127.0.0.1:0");
        config.put("http.port", "0");
        config.put("s3.embedded.port", "0");
        config.putAll(properties);
        config.put("log.dirs", dir.toString());
        Path configFile = dir.resolveSibling(dir.getFileName() + ".properties");
        try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
            config.store(out, "written by BrokerJvm");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.strata.broker.StrataMain",
                "--config", configFile.toString())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("STRATA_"));
        builder.environment().putAll(environment);
        Path logPath = CampaignReport.resultsDir().resolve("broker-logs")
                .resolve(dir.getParent().getFileName() + "-" + dir.getFileName() + ".log");
        Files.createDirectories(logPath.getParent());
        PrintWriter logFile = new PrintWriter(Files.newBufferedWriter(logPath, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
        BrokerJvm broker = new BrokerJvm(builder.start(), logFile);
        try {
            broker.awaitListening();
        } catch (RuntimeException | InterruptedException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** A free port on 127.0.0.1 now, for a broker that must come back on the same port after a restart. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private synchronized void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (bootstrap == null) {
            if (!process.isAlive() && !pump.isAlive()) {
                throw new IllegalStateException("The broker exited with " + process.exitValue() + " before listening:\n"
                        + tail());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("The broker did not listen within " + START_TIMEOUT_SECONDS + " s:\n"
                        + tail());
            }
            wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
        }
    }

    private void pumpOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                logFile.println(line);
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
        } finally {
            logFile.close();
        }
    }

    /** {@code host:port} to bootstrap clients from. */
    public synchronized String bootstrapServers() {
        return bootstrap;
    }

    /** Everything the broker printed so far. */
    public synchronized String log() {
        return String.join("\n", lines);
    }

    private synchronized String tail() {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to exit by itself; true if it has. */
    public boolean awaitExit(java.time.Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exit code once the process has exited. */
    public int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM (a clean shutdown), waiting for the exit and the last output. */
    public void stop() throws InterruptedException {
        process.toHandle().destroy();
        awaitExit();
    }

    /** SIGKILL: no shutdown code runs; the page cache keeps what the process wrote. */
    public void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        awaitExit();
    }

    /** SIGSTOP: the process stops where it is, sockets open, until {@link #resume()}. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private void awaitExit() throws InterruptedException {
        if (!process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("The broker " + process.pid() + " did not exit within "
                    + EXIT_TIMEOUT_SECONDS + " s");
        }
        pump.join(10_000);
    }

    /** Kills the process if it still runs (an interrupt still sends SIGKILL, then stops waiting). */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
