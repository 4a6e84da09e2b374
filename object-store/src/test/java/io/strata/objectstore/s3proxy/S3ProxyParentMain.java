package io.strata.objectstore.s3proxy;

import java.nio.file.Path;

/**
 * A parent JVM for {@link S3ProxyServerTest}: starts an S3Proxy on a free port in the folder given
 * as the argument, prints {@code child-pid=<pid>} and waits to be killed.
 */
public final class S3ProxyParentMain {
    private S3ProxyParentMain() {}

    public static void main(String[] args) throws Exception {
        S3ProxyServer server = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(Path.of(args[0]), "strata"));
        System.out.println("child-pid=" + server.pid());
        System.out.flush();
        new java.util.concurrent.CountDownLatch(1).await(); // parked until the test kills this JVM
    }
}
