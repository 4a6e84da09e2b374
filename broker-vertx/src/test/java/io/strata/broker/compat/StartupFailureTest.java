package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures a user can cause end the broker process with exit code 1 and one line that says what is wrong
 * and what to do, never a stack trace: each case starts a real broker JVM ({@link BrokerProcess}) with the mistake.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StartupFailureTest {

    /** What {@code main} prints before the one line. */
    private static final String FAILURE_LINE = "Strata could not start: ";
    private static final Pattern EXCEPTION_NAME = Pattern.compile("\\b[A-Z][A-Za-z]*Exception\\b");
    private static final long EXIT_SECONDS = 120;

    @TempDir
    static Path s3Dir;

    private static S3ProxyServer s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() throws IOException {
        s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(s3Dir.resolve("s3"), "existing"));
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    /** Settings of a broker tiering to the test's S3 server, bucket {@code existing}, with {@code overrides}. */
    private static Map<String, String> bucketSettings(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "s3.endpoint", s3.endpoint().toString(),
                "s3.region", S3ProxyServer.REGION,
                "s3.bucket", "existing",
                "s3.access.key", S3ProxyServer.DEFAULT_ACCESS_KEY,
                "s3.secret.key", S3ProxyServer.DEFAULT_SECRET_KEY,
                "s3.path.style", "true"));
        settings.putAll(overrides);
        return settings;
    }

    private static final Map<String, String> NO_BUCKET = Map.of("remote.log.storage.system.enable", "false");

    /** Runs a broker that must fail; asserts exit code 1, one line naming the cause, and no stack trace. */
    private void assertFailsWithOneLine(Path dataDir, Map<String, String> settings, String... cause)
            throws Exception {
        String output;
        int exitCode;
        try (BrokerProcess broker = BrokerProcess.launch(dataDir, dir.resolve("broker.properties"), settings)) {
            exitCode = broker.awaitExitCode(EXIT_SECONDS);
            output = broker.log();
        }
        List<String> failureLines = output.lines().filter(line -> line.contains(FAILURE_LINE)).toList();
        assertThat(exitCode).as("exit code; output:%n%s", output).isEqualTo(1);
        assertThat(failureLines).as("the failure line; output:%n%s", output).hasSize(1);
        assertThat(failureLines.get(0)).contains(cause);
        assertThat(output.lines().filter(line -> line.startsWith("\tat ") || line.startsWith("Caused by")
                || EXCEPTION_NAME.matcher(line).find()).toList()).as("stack trace lines").isEmpty();
    }

    @Test
    void aBucketThatDoesNotExistIsNamedInOneLine() throws Exception {
        assertFailsWithOneLine(dir.resolve("data"), bucketSettings(Map.of("s3.bucket", "no-such-bucket")),
                "'no-such-bucket' does not exist", s3.endpoint().toString(), "create it");
    }

    @Test
    void wrongCredentialsAreNamedInOneLine() throws Exception {
        assertFailsWithOneLine(dir.resolve("data"), bucketSettings(Map.of("s3.secret.key", "not-the-secret")),
                "refused the credentials", "s3.secret.key");
    }

    @Test
    void missingCredentialsAreNamedInOneLine() throws Exception {
        assumeThat(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_PROFILE") == null
                && !Files.exists(Path.of(System.getProperty("user.home"), ".aws")))
                .as("this machine has AWS credentials of its own").isTrue();
        Map<String, String> settings = bucketSettings(Map.of());
        settings.remove("s3.access.key");
        settings.remove("s3.secret.key");
        assertFailsWithOneLine(dir.resolve("data"), settings, "No S3 credentials were found", "s3.access.key");
    }

    @Test
    void anUnreachableEndpointIsNamedInOneLine() throws Exception {
        // Port 1 (tcpmux) is not served here: connections are refused (a free ephemeral port could be taken meanwhile)
        String endpoint = "http://127.0.0.1:1";
        assertFailsWithOneLine(dir.resolve("data"), bucketSettings(Map.of("s3.endpoint", endpoint,
                "s3.max.attempts", "2")), "Could not reach the S3 endpoint " + endpoint, "s3.endpoint");
    }

    @Test
    void aListenerPortInUseIsNamedInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> settings = new HashMap<>(NO_BUCKET);
            settings.put("listeners", "PLAINTEXT://127.0.0.1:" + taken.getLocalPort());
            assertFailsWithOneLine(dir.resolve("data"), settings,
                    "Could not listen on 127.0.0.1:" + taken.getLocalPort(), "another process uses that port");
        }
    }

    @Test
    void anHttpPortInUseIsNamedInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> settings = new HashMap<>(NO_BUCKET);
            settings.put("http.port", Integer.toString(taken.getLocalPort()));
            assertFailsWithOneLine(dir.resolve("data"), settings,
                    "Could not bind the HTTP server to 127.0.0.1:" + taken.getLocalPort(), "http.port");
        }
    }

    @Test
    void anEmbeddedS3PortInUseIsNamedInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertFailsWithOneLine(dir.resolve("data"), Map.of("s3.embedded.port",
                    Integer.toString(taken.getLocalPort())),
                    "Could not start the embedded S3 server on 127.0.0.1:" + taken.getLocalPort(), "s3.embedded.port");
        }
    }

    @Test
    void anUnwritableDataDirectoryIsNamedInOneLine() throws Exception {
        Path dataDir;
        if (!"root".equals(System.getProperty("user.name"))) {
            Path readOnly = Files.createDirectory(dir.resolve("read-only"));
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
            dataDir = readOnly.resolve("data");
        } else {
            // Permissions do not stop root; sysfs refuses new directories even to root
            dataDir = Path.of("/sys/strata-startup-failure-test");
            assumeThat(refusesNewDirectory(dataDir) || "true".equals(System.getenv("CI")))
                    .as("running as root, an unwritable directory needs /sys to refuse new directories").isTrue();
        }
        assertFailsWithOneLine(dataDir, NO_BUCKET, "Cannot write to the data directory " + dataDir, "log.dirs");
    }

    private static boolean refusesNewDirectory(Path path) {
        try {
            Files.createDirectory(path);
            Files.delete(path);
            return false;
        } catch (IOException refused) {
            return !Files.exists(path);
        }
    }

    @Test
    void aDataDirectoryInUseByAnotherBrokerIsNamedInOneLine() throws Exception {
        Path dataDir = dir.resolve("data");
        try (BrokerProcess first = BrokerProcess.start(dataDir, NO_BUCKET)) {
            assertFailsWithOneLine(dataDir, NO_BUCKET, "The data directory " + dataDir,
                    "in use by another running broker", ".lock");
            assertThat(first.bootstrapServers()).as("the first broker still runs").isNotNull();
            first.stop();
        }
    }

    @Test
    void anInvalidSettingIsNamedInOneLine() throws Exception {
        Map<String, String> settings = new HashMap<>(NO_BUCKET);
        settings.put("num.network.threads", "many");
        assertFailsWithOneLine(dir.resolve("data"), settings, "'many'", "num.network.threads");
    }
}
