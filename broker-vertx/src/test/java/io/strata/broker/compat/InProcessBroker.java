package io.strata.broker.compat;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Strata broker in the test's JVM, for the compatibility tests that drive it with an external client:
 * listening on a free port of 127.0.0.1, with metrics on a free port, over a fresh data directory that is
 * deleted once the broker is closed. Registered on a static field it serves every test of the class; on an
 * instance field each test gets its own:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final InProcessBroker broker = InProcessBroker.tiered();
 * }</pre>
 *
 * <p>Not thread-safe.
 */
final class InProcessBroker implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final Map<String, String> properties;
    private boolean perClass;
    private Path dataDir;
    private StrataBroker broker;

    private InProcessBroker(Map<String, String> properties) {
        this.properties = properties;
    }

    /** Tiering on, as by default, with the embedded S3 server on a free port. */
    static InProcessBroker tiered() {
        return new InProcessBroker(Map.of("s3.embedded.port", "0"));
    }

    /** Tiering off (no bucket), plus {@code properties}. */
    static InProcessBroker local(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.put("remote.log.storage.system.enable", "false");
        return new InProcessBroker(Map.copyOf(all));
    }

    /** {@code host:port} to bootstrap clients from. */
    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The broker's {@code log.dirs}. */
    Path dataDir() {
        return dataDir;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        perClass = true;
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (!perClass) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
    }

    private void start() throws IOException {
        dataDir = Files.createTempDirectory("strata-compat-");
        Map<String, String> config = new HashMap<>(properties);
        config.put("listeners", "PLAINTEXT://127.0.0.1:0");
        config.put("http.port", "0");
        config.put("log.dirs", dataDir.toString());
        broker = StrataBroker.start(BrokerConfig.of(config));
    }

    private void close() throws IOException {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (dataDir != null) {
            deleteRecursively(dataDir);
            dataDir = null;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
