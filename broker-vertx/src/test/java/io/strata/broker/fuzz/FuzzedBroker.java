package io.strata.broker.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import com.code_intelligence.jazzer.api.BugDetectors;
import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.network.KafkaConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.ApiException;
import org.slf4j.LoggerFactory;

/**
 * A Strata broker in the fuzz test's JVM (tiering off, a fresh data directory, a free port), plus what its logs
 * say went wrong: a handler failing with anything but a Kafka {@link ApiException}, an unexpected error while
 * reading a connection, and every ERROR line of any logger (Vert.x reports exceptions that escaped an event-loop
 * callback that way).
 *
 * <p>{@link #allowLoopbackConnections()} lets the test connect to loopback addresses (the broker's port) under
 * Jazzer's server-side-request-forgery detector, and to nothing else.
 *
 * <p>Thread-safe.
 */
final class FuzzedBroker implements AutoCloseable {
    private static final String CONNECTION_LOGGER = KafkaConnection.class.getName();

    private final Path dataDir;
    private final StrataBroker broker;
    private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> watcher = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            String problem = problem(event);
            if (problem != null) {
                unexpected.add(problem);
            }
        }
    };
    private final Logger connectionLogger = (Logger) LoggerFactory.getLogger(CONNECTION_LOGGER);
    private final Logger rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level connectionLevel = connectionLogger.getLevel();

    private FuzzedBroker(Path dataDir, StrataBroker broker) {
        this.dataDir = dataDir;
        this.broker = broker;
        watcher.setName("fuzz-watcher");
        watcher.setContext(rootLogger.getLoggerContext());
        watcher.start();
        // The handler failures are logged with their exception at DEBUG; they go to the watcher only, since a
        // fuzzer makes thousands of them a second.
        connectionLogger.setLevel(Level.DEBUG);
        connectionLogger.setAdditive(false);
        connectionLogger.addAppender(watcher);
        rootLogger.addAppender(watcher);
    }

    static FuzzedBroker start(Map<String, String> settings) {
        try {
            Path dataDir = Files.createTempDirectory("strata-fuzz-");
            Map<String, String> config = new HashMap<>(settings);
            config.put("remote.log.storage.system.enable", "false");
            config.put("listeners", "PLAINTEXT://127.0.0.1:0");
            config.put(BrokerConfig.HTTP_PORT, "-1");
            config.put("log.dirs", dataDir.toString());
            return new FuzzedBroker(dataDir, StrataBroker.start(BrokerConfig.of(config)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Lets the fuzz test connect to the broker under Jazzer's SSRF detector. Call at the start of every input:
     * Jazzer resets the detector's setting between runs of the fuzz test method, and while the detector is not
     * loaded (inputs replayed before fuzzing starts) it refuses to configure it, and there is nothing to allow.
     */
    static void allowLoopbackConnections() {
        try {
            BugDetectors.allowNetworkConnections(
                    (host, port) -> host.equals("localhost") || host.startsWith("127.") || host.equals("::1"));
        } catch (IllegalStateException detectorNotLoaded) {
            // nothing to configure
        }
    }

    int port() {
        return broker.port();
    }

    /** The problems logged since the last call, then forgets them. */
    List<String> drainUnexpected() {
        List<String> drained = new ArrayList<>();
        for (String problem = unexpected.poll(); problem != null; problem = unexpected.poll()) {
            drained.add(problem);
        }
        return drained;
    }

    /** The failure inside the CompletionException a handler's future completes with. */
    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    private static String problem(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (event.getLoggerName().equals(CONNECTION_LOGGER)) {
            IThrowableProxy thrown = event.getThrowableProxy();
            if (message.startsWith("Failure of") && thrown instanceof ThrowableProxy proxy
                    && !(unwrapped(proxy.getThrowable()) instanceof ApiException)) {
                return message + ": " + stackTrace(proxy.getThrowable());
            }
            if (message.contains("unexpected error while reading")) {
                return message;
            }
            return null;
        }
        if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            IThrowableProxy thrown = event.getThrowableProxy();
            return event.getLoggerName() + " ERROR: " + message
                    + (thrown instanceof ThrowableProxy proxy ? ": " + stackTrace(proxy.getThrowable()) : "");
        }
        return null;
    }

    private static String stackTrace(Throwable error) {
        StringBuilder text = new StringBuilder(error.toString());
        StackTraceElement[] frames = error.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 12); i++) {
            text.append("\n\tat ").append(frames[i]);
        }
        return text.toString();
    }

    @Override
    public synchronized void close() throws IOException {
        rootLogger.detachAppender(watcher);
        connectionLogger.detachAppender(watcher);
        connectionLogger.setAdditive(true);
        connectionLogger.setLevel(connectionLevel);
        watcher.stop();
        broker.close();
        try (Stream<Path> walk = Files.walk(dataDir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
