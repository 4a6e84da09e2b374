package io.strata.objectstore.s3;

import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ObjectStore} contract against S3Proxy (filesystem store), started by this class. */
class S3ProxyObjectStoreTest extends S3ObjectStoreContractTest {
    @TempDir
    static Path serverDir;

    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(serverDir.resolve("s3"), "contract"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected S3Config.Builder serverConfig() {
        return server.clientConfig();
    }
}
