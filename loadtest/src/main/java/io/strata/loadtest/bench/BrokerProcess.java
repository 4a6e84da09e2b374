package io.strata.loadtest.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A broker JVM the tool started as a separate process, with its output appended to one log file across
 * restarts. {@link #stop()} sends SIGTERM and waits for a clean shutdown, then kills it; every started
 * process is also registered with {@link StartedProcesses}, whose shutdown hook stops it on Ctrl-C or a
 * failure. Not thread-safe: the benchmark drives it from one thread (the RSS sampler only reads the pid).
 */
final class BrokerProcess {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private final int port;
    private volatile Process process;

    BrokerProcess(String name, List<String> command, Map<String, String> environment, Path logFile, int port) {
        this.name = name;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.logFile = logFile;
        this.port = port;
    }

    /** Starts the JVM and waits until it accepts connections on its port. */
    void start() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        StartedProcesses.register(process);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts(port)) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " while starting; its log: "
                    + logFile);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " did not listen on 127.0.0.1:" + port + " within " + START_TIMEOUT.toSeconds()
                    + " s; its log: " + logFile);
            }
            Thread.sleep(200); // polling a port that is not open yet: nothing to wait on
        }
    }

    /** SIGTERM, a clean shutdown of up to a minute, then SIGKILL. */
    void stop() throws InterruptedException {
        Process current = process;
        if (current == null) {
            return;
        }
        StartedProcesses.stop(current, STOP_TIMEOUT);
        process = null;
    }

    void restart() throws IOException, InterruptedException {
        stop();
        start();
    }

    /** The broker JVM's pid while it runs. */
    OptionalLong pid() {
        Process current = process;
        return current != null && current.isAlive() ? OptionalLong.of(current.pid()) : OptionalLong.empty();
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    Path logFile() {
        return logFile;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
