package io.strata.objectstore.s3proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.objectstore.PutCondition;
import io.strata.objectstore.s3.S3ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class S3ProxyServerTest {
    @TempDir
    Path dir;

    @Test
    void servesTheBucketFromPlainFilesUnderItsDataDirectory() throws Exception {
        byte[] bytes = "segment bytes".getBytes(StandardCharsets.UTF_8);
        try (S3ProxyServer server = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "strata"));
                S3ObjectStore store = S3ObjectStore.open(server.clientConfig().prefix("strata").build())) {

            store.put("orders/00000000000000000000.log", bytes, PutCondition.NONE).get(30, TimeUnit.SECONDS);

            assertThat(server.endpoint().toString()).startsWith("http://127.0.0.1:");
            assertThat(dir.resolve("s3/strata/strata/orders/00000000000000000000.log")).hasBinaryContent(bytes);
            assertThat(dir.resolve("s3.log")).exists();
        }
    }

    @Test
    void aRestartOnTheSamePortServesTheSameObjects() throws Exception {
        S3ProxyServer.Settings settings;
        try (S3ProxyServer first = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "strata"));
                S3ObjectStore store = S3ObjectStore.open(first.clientConfig().build())) {
            store.put("k", new byte[] {1, 2, 3}, PutCondition.NONE).get(30, TimeUnit.SECONDS);
            settings = first.settings().withPort(first.port());
        }

        try (S3ProxyServer second = S3ProxyServer.start(settings);
                S3ObjectStore store = S3ObjectStore.open(second.clientConfig().build())) {
            assertThat(store.get("k").get(30, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void closeStopsTheChildProcess() throws Exception {
        S3ProxyServer server = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "strata"));
        long pid = server.pid();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

        server.close();

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void theChildExitsWhenItsParentIsKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process parent = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                        S3ProxyParentMain.class.getName(), dir.resolve("s3").toString()))
                .redirectErrorStream(true)
                .start();
        Optional<ProcessHandle> child = Optional.empty();
        try {
            long childPid = readChildPid(parent);
            child = ProcessHandle.of(childPid);
            assertThat(child.map(ProcessHandle::isAlive)).contains(true);

            parent.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs

            ProcessHandle orphan = child.orElseThrow();
            await().atMost(Duration.ofSeconds(30)).until(() -> !orphan.isAlive());
        } finally {
            parent.destroyForcibly();
            child.ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aPortInUseFailsTheStartWithS3ProxysOwnMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            S3ProxyServer.Settings settings =
                    S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "strata").withPort(taken.getLocalPort());

            assertThatThrownBy(() -> S3ProxyServer.start(settings))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("S3Proxy exited with status")
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
    }

    private static long readChildPid(Process parent) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("child-pid=")) {
                return Long.parseLong(line.substring("child-pid=".length()));
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the parent JVM ended without starting S3Proxy:\n" + seen);
    }

}
