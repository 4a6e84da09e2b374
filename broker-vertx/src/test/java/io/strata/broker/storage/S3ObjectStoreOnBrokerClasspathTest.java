package io.strata.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Version;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.PutCondition;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 object store works on the broker's own classpath: the AWS SDK's Netty HTTP client (built
 * for Netty 4.1) next to Vert.x 5 on Netty 4.2, results brought back onto a Vert.x context, and
 * S3Proxy in its child process.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class S3ObjectStoreOnBrokerClasspathTest {
    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void putsAndReadsRangesBackOnTheVertxContextWithVertxsNetty() throws Exception {
        assertThat(Version.identify().get("netty-common").artifactVersion()).startsWith("4.2.");
        byte[] segment = "0123456789abcdef".repeat(1024).getBytes(StandardCharsets.US_ASCII);
        try (S3ProxyServer server = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "strata"));
                S3ObjectStore store = S3ObjectStore.open(server.clientConfig().prefix("broker").build())) {
            Context context = vertx.getOrCreateContext();

            Future<String> onContext = Future.<ObjectInfo>fromCompletionStage(
                            store.put("t/0/00000000000000000000.log", segment, PutCondition.IF_ABSENT), context)
                    .compose(put -> Future.<ByteBuffer>fromCompletionStage(
                            store.getRange(put.key(), 16 * 100 + 10, 6), context))
                    .map(range -> (Vertx.currentContext() == context ? "on context: " : "elsewhere: ")
                            + StandardCharsets.US_ASCII.decode(range));
            String result = onContext.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(result).isEqualTo("on context: abcdef");
            assertThat(store.listAll("t/").get(30, TimeUnit.SECONDS)).extracting(ObjectInfo::key)
                    .containsExactly("t/0/00000000000000000000.log");
            store.deleteAll(List.of("t/0/00000000000000000000.log")).get(30, TimeUnit.SECONDS);
        }
    }
}
