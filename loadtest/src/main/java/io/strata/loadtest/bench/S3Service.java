package io.strata.loadtest.bench;

import io.strata.loadtest.FreePorts;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The S3 server a Strata cluster started by the tool shares: S3Proxy (the server Strata embeds, filesystem store,
 * bucket {@value #BUCKET}) in a JVM of its own ({@code io.strata.loadtest.S3ServerMain}, with the broker jar on its
 * classpath), and optionally {@code io.strata.loadtest.ThrottledProxy} in front of it, another JVM, which holds the
 * first byte of every response for a while, as a cloud object store does. {@link #endpoint()} is S3Proxy itself;
 * {@link #throttledEndpoint()} the proxy.
 */
final class S3Service {

    static final String BUCKET = "strata";
    /** S3Proxy's keys as the broker's embedded server has them (S3ProxyServer's defaults). */
    static final String ACCESS_KEY = "strata";
    static final String SECRET_KEY = "strata-secret";
    static final String REGION = "us-east-1";

    private final BrokerProcess server;
    private final Optional<BrokerProcess> proxy;
    private final Path store;

    private S3Service(BrokerProcess server, Optional<BrokerProcess> proxy, Path store) {
        this.server = server;
        this.proxy = proxy;
        this.store = store;
    }

    /**
     * Starts S3Proxy with its store in {@code dir/s3} and, when {@code firstByteMs} is given ({@code MIN-MAX}
     * milliseconds), the throttling proxy in front of it; logs go to {@code dir}.
     */
    static S3Service start(Layout layout, Path dir, Optional<String> firstByteMs, String jvmOptions)
        throws IOException, InterruptedException {
        int[] ports = FreePorts.choose(2);
        List<String> command = childJvm(layout, jvmOptions);
        command.addAll(List.of("io.strata.loadtest.S3ServerMain", "--dir", dir.resolve("s3").toString(), "--port",
            Integer.toString(ports[0])));
        BrokerProcess server = new BrokerProcess("S3Proxy", command, Map.of(), dir.resolve("s3-server.log"), ports[0]);
        server.start();
        Optional<BrokerProcess> proxy = Optional.empty();
        if (firstByteMs.isPresent()) {
            String[] range = firstByteMs.get().split("-");
            List<String> proxyCommand = childJvm(layout, "-Xmx256m");
            proxyCommand.addAll(List.of("io.strata.loadtest.ThrottledProxy", "--listen-port", Integer.toString(ports[1]),
                "--target-port", Integer.toString(ports[0]), "--first-byte-ms", range[0], "--first-byte-max-ms",
                range[range.length - 1], "--mib-per-second", "1000"));
            BrokerProcess started = new BrokerProcess("throttling proxy", proxyCommand, Map.of(),
                dir.resolve("s3-proxy.log"), ports[1]);
            started.start();
            proxy = Optional.of(started);
        }
        return new S3Service(server, proxy, dir.resolve("s3"));
    }

    /** A JVM with the broker jar (object store, S3Proxy, PostgreSQL driver) and this tool's classes. */
    static List<String> childJvm(Layout layout, String jvmOptions) {
        List<String> command = new ArrayList<>(List.of(BrokerLauncher.java()));
        command.addAll(List.of(jvmOptions.trim().split("\\s+")));
        command.addAll(List.of("-cp", layout.childClasspath()));
        return command;
    }

    /** The S3 server's JVM and the proxy's, while they run. */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        server.pid().ifPresent(pids::add);
        proxy.flatMap(process -> process.pid().isPresent() ? Optional.of(process.pid().getAsLong()) : Optional.empty())
            .ifPresent(pids::add);
        return pids;
    }

    URI endpoint() {
        return URI.create("http://" + server.bootstrap());
    }

    Optional<URI> throttledEndpoint() {
        return proxy.map(process -> URI.create("http://" + process.bootstrap()));
    }

    /** Stops the proxy, then S3Proxy (whose own child, the S3Proxy server, exits with it), and deletes the store. */
    void stop() throws InterruptedException, IOException {
        if (proxy.isPresent()) {
            proxy.get().stop();
        }
        server.stop();
        Directories.deleteRecursively(store);
    }
}
