package io.strata.objectstore.s3proxy;

import io.strata.objectstore.s3.S3Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3 server on 127.0.0.1 backed by a local folder: S3Proxy 4.1 ({@code org.gaul:s3proxy}) with
 * its filesystem store, run as a child process. The broker uses it as its embedded object store
 * when no S3 endpoint is configured, and the tests use it as a real S3-protocol server.
 *
 * <p>Why a child process: S3Proxy brings jclouds, Jetty 12, Guice and its own Jackson, Netty and
 * logback versions; in a separate JVM none of them can clash with the broker's. Its
 * self-contained jar is a resource of this module ({@code s3proxy/s3proxy.jar}); it is extracted
 * once per machine to {@code java.io.tmpdir/strata-s3proxy-<size>/} and started with {@code java
 * -cp} from the running JVM's {@code java.home}. It takes about 1–2.5 s to accept connections on
 * these 2-core machines.
 *
 * <p>Files, for a data directory {@code data/s3}: objects under {@code data/s3/<bucket>/<key>}
 * (readable as plain files), the generated configuration in {@code data/s3.conf} (readable by its
 * owner only: it holds the secret key) and S3Proxy's log in {@code data/s3.log}.
 *
 * <p>The child never outlives this JVM: {@link #close()} stops it, and the child itself exits when
 * its standard input (a pipe from this JVM) closes, which happens whenever this JVM exits, even by
 * SIGKILL. See {@link S3ProxyChild}. There is deliberately no shutdown hook: JVM shutdown hooks run
 * concurrently, so one would stop the server while the broker's own hook still writes to it
 * (closing its logs, releasing its claim of the bucket prefix).
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class S3ProxyServer implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(S3ProxyServer.class);

    public static final int DEFAULT_PORT = 9000;
    public static final String DEFAULT_ACCESS_KEY = "strata";
    public static final String DEFAULT_SECRET_KEY = "strata-secret";
    /** Any region works; S3Proxy checks only that client and server sign alike. */
    public static final String REGION = "us-east-1";

    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int FREE_PORT_ATTEMPTS = 3;
    /** S3Proxy answers NoSuchBucket for a folder whose name is no valid bucket name. */
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    /**
     * What to serve.
     *
     * @param dataDirectory the store's folder (made absolute; S3Proxy's filesystem store needs that)
     * @param port the port on 127.0.0.1, or 0 for a free one
     * @param bucket created at start if missing
     */
    public record Settings(Path dataDirectory, int port, String bucket, String accessKey, String secretKey) {
        public Settings {
            dataDirectory = dataDirectory.toAbsolutePath().normalize();
            Objects.requireNonNull(dataDirectory.getParent(), "dataDirectory needs a parent directory");
            if (!BUCKET_NAME.matcher(Objects.requireNonNull(bucket, "bucket")).matches()) {
                throw new IllegalArgumentException("not an S3 bucket name (3-63 of a-z, 0-9, '.', '-'): " + bucket);
            }
            Objects.requireNonNull(accessKey, "accessKey");
            Objects.requireNonNull(secretKey, "secretKey");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
        }

        /**
         * The broker's embedded default: {@code <dataDir>/s3}, port 9000, bucket {@code strata},
         * the default keys.
         */
        public static Settings embedded(Path brokerDataDirectory) {
            return new Settings(brokerDataDirectory.resolve("s3"), DEFAULT_PORT, S3Config.DEFAULT_BUCKET,
                    DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY);
        }

        /** The default keys, {@code bucket}, and a free port. */
        public static Settings onFreePort(Path dataDirectory, String bucket) {
            return new Settings(dataDirectory, 0, bucket, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY);
        }

        public Settings withPort(int newPort) {
            return new Settings(dataDirectory, newPort, bucket, accessKey, secretKey);
        }
    }

    private final Settings settings;
    private final int port;
    private final Process process;

    private S3ProxyServer(Settings settings, int port, Process process) {
        this.settings = settings;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts S3Proxy, creates the bucket (a folder) and returns once the server accepts requests.
     *
     * @throws IOException if the child cannot be started or does not get ready in time; the
     *     message ends with the tail of its log
     */
    public static S3ProxyServer start(Settings settings) throws IOException {
        Files.createDirectories(settings.dataDirectory().resolve(settings.bucket()));
        List<Path> classpath = S3ProxyJar.extract();
        int attempts = settings.port() == 0 ? FREE_PORT_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            int port = settings.port() == 0 ? freePort() : settings.port();
            try {
                return launch(settings, port, classpath);
            } catch (IOException e) {
                if (attempt >= attempts) {
                    throw e;
                }
                LOGGER.warn("S3Proxy did not start on free port {} (taken meanwhile?), trying another: {}",
                        port, e.getMessage());
            }
        }
    }

    public URI endpoint() {
        return URI.create("http://" + HOST + ":" + port);
    }

    public int port() {
        return port;
    }

    public Settings settings() {
        return settings;
    }

    /** The child's process id (for tests that kill it). */
    public long pid() {
        return process.pid();
    }

    /** Client settings for this server: endpoint, keys, bucket, path-style; the rest default. */
    public S3Config.Builder clientConfig() {
        return S3Config.builder(settings.bucket())
                .endpoint(endpoint())
                .region(REGION)
                .credentials(settings.accessKey(), settings.secretKey())
                .pathStyle(true);
    }

    /** Stops the child: closes its input (it exits by itself), then SIGTERM, then SIGKILL. */
    @Override
    public void close() {
        stop(process);
    }

    private static S3ProxyServer launch(Settings settings, int port, List<Path> classpath) throws IOException {
        Path dir = settings.dataDirectory();
        Path conf = dir.resolveSibling(dir.getFileName() + ".conf");
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        writeConfiguration(conf, settings, port);
        long logStart = Files.exists(log) ? Files.size(log) : 0;

        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Xss512k",
                "-cp", classpath.stream().map(Path::toString).reduce((a, b) -> a + java.io.File.pathSeparator + b)
                        .orElseThrow(),
                S3ProxyChild.class.getName(),
                "--properties", conf.toString());
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        try {
            awaitReady(process, log, logStart);
        } catch (IOException e) {
            stop(process);
            throw e;
        }
        LOGGER.info("S3Proxy (pid {}) serves bucket {} from {} at http://{}:{} after {} ms; its log is {}",
                process.pid(), settings.bucket(), dir, HOST, port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), log);
        return new S3ProxyServer(settings, port, process);
    }

    private static void writeConfiguration(Path conf, Settings settings, int port) throws IOException {
        String text = String.join("\n",
                "s3proxy.endpoint=http://" + HOST + ":" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + settings.accessKey(),
                "s3proxy.credential=" + settings.secretKey(),
                "jclouds.provider=filesystem-nio2",
                "jclouds.identity=" + settings.accessKey(),
                "jclouds.credential=" + settings.secretKey(),
                // Properties files treat backslashes as escapes (Windows paths).
                "jclouds.filesystem.basedir=" + settings.dataDirectory().toString().replace("\\", "/"),
                "");
        Files.writeString(conf, text, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    /** Waits for {@link S3ProxyChild#READY} in the log written since {@code logStart}. */
    private static void awaitReady(Process process, Path log, long logStart) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (newLogText(log, logStart).contains(S3ProxyChild.READY)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with status " + process.exitValue() + " while starting; log "
                        + log + " ends with:\n" + tail(newLogText(log, logStart)));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for S3Proxy to start", e);
            }
        }
        throw new IOException("S3Proxy did not start within " + START_TIMEOUT.toSeconds() + " s; log " + log
                + " ends with:\n" + tail(newLogText(log, logStart)));
    }

    private static String newLogText(Path log, long from) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            channel.position(from);
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.getOutputStream().close(); // the child exits on end of input
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    /** Extracts S3Proxy's jar and {@link S3ProxyChild}'s class file, once per machine. */
    static final class S3ProxyJar {
        private static final String JAR_RESOURCE = "s3proxy.jar";
        private static List<Path> extracted;

        private S3ProxyJar() {}

        static synchronized List<Path> extract() throws IOException {
            if (extracted == null) {
                URL jar = S3ProxyServer.class.getResource(JAR_RESOURCE);
                if (jar == null) {
                    throw new IOException("resource " + JAR_RESOURCE + " is missing next to "
                            + S3ProxyServer.class.getName() + " (the object-store build copies it there)");
                }
                long size = jar.openConnection().getContentLengthLong();
                Path dir = Path.of(System.getProperty("java.io.tmpdir"), "strata-s3proxy-" + size);
                Path jarFile = dir.resolve("s3proxy.jar");
                if (!Files.exists(jarFile) || Files.size(jarFile) != size) {
                    try (InputStream in = jar.openStream()) {
                        copyAtomically(in, jarFile);
                    }
                }
                String classFile = S3ProxyChild.class.getSimpleName() + ".class";
                Path launcherRoot = dir.resolve("launcher");
                Path launcherClass = launcherRoot.resolve(
                        S3ProxyChild.class.getPackageName().replace('.', '/')).resolve(classFile);
                try (InputStream in = S3ProxyChild.class.getResourceAsStream(classFile)) {
                    copyAtomically(Objects.requireNonNull(in, classFile), launcherClass);
                }
                extracted = List.of(launcherRoot, jarFile);
            }
            return extracted;
        }

        private static void copyAtomically(InputStream in, Path target) throws IOException {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
            try {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | UncheckedIOException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        }
    }
}
