package io.strata.objectstore.s3proxy;

import java.io.IOException;

/**
 * The main class of the S3Proxy child process that {@link S3ProxyServer} starts. It runs on a
 * classpath of S3Proxy's own jar plus this one class file, so it uses nothing but the JDK and
 * reaches S3Proxy by reflection.
 *
 * <p>It starts S3Proxy's {@code Main} (which returns once Jetty listens, and exits the JVM if it
 * cannot), then prints {@link #READY} on standard output. A daemon thread reads standard input,
 * which the parent never writes: end of input means the parent closed the pipe or died (even by
 * SIGKILL), and the child exits, so an S3Proxy never outlives its broker.
 */
public final class S3ProxyChild {
    /** Printed on standard output once S3Proxy accepts connections. */
    public static final String READY = "strata-s3proxy-ready";

    private S3ProxyChild() {}

    public static void main(String[] args) throws Exception {
        Thread watchdog = new Thread(S3ProxyChild::exitWhenParentGoes, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Class.forName("org.gaul.s3proxy.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        System.out.println(READY);
        System.out.flush();
    }

    private static void exitWhenParentGoes() {
        try {
            while (System.in.read() != -1) {
                // the parent never writes; only end of input matters
            }
        } catch (IOException e) {
            // a broken pipe means the same as end of input
        }
        System.exit(0);
    }
}
