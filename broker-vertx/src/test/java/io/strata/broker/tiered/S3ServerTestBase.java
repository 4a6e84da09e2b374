package io.strata.broker.tiered;

import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiered tests against one real S3 server per test class (S3Proxy, filesystem store, free port):
 * each test's broker tiers under a key prefix of its own ({@link #prefix}), so the tests of a class
 * never see each other's objects, and {@link #bucket} looks at that prefix with the MinIO client.
 */
abstract class S3ServerTestBase extends TieredBrokerTestBase {

    static final String BUCKET = "strata-it";
    private static final AtomicInteger TESTS = new AtomicInteger();

    @TempDir
    static Path s3Dir;
    static S3ProxyServer s3;

    /** This test's key prefix in the shared bucket: {@code t<n>/}. */
    final String prefix = "t" + TESTS.incrementAndGet() + "/";
    final MinioBucket bucket = new MinioBucket(s3, prefix);

    @BeforeAll
    static void startS3() throws IOException {
        s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(s3Dir.resolve("s3"), BUCKET));
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    Map<String, String> bucketProperties() {
        return Map.of(
                "s3.endpoint", s3.endpoint().toString(),
                "s3.access.key", s3.settings().accessKey(),
                "s3.secret.key", s3.settings().secretKey(),
                "s3.bucket", BUCKET,
                "s3.region", S3ProxyServer.REGION,
                "s3.path.style", "true",
                "s3.prefix", prefix);
    }
}
