package io.strata.loadtest;

import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the S3 server the broker embeds (S3Proxy, filesystem store, bucket {@code strata}, the
 * broker's default keys) as a process of its own, for catchup.sh's emulated-S3 mode, where brokers
 * reach it through {@link ThrottledProxy}. Prints {@code ready port=P} and serves until stopped
 * (SIGTERM stops S3Proxy too). Run it with the broker jar on the classpath:
 *
 * <pre>
 * java -cp loadtest/target/classes:broker-vertx/target/strata-broker.jar io.strata.loadtest.S3ServerMain \
 *     --dir /tmp/s3 --port 9000
 * </pre>
 */
public final class S3ServerMain {

    private S3ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse(args);
        S3ProxyServer.Settings settings = S3ProxyServer.Settings
            .onFreePort(Path.of(arguments.required("dir")), "strata")
            .withPort(Integer.parseInt(arguments.optional("port", "0")));
        S3ProxyServer server = S3ProxyServer.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "s3-server-stop"));
        System.out.println("ready port=" + server.port());
        stopped.await();
    }
}
