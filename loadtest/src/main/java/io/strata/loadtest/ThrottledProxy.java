package io.strata.loadtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy in front of an S3 server that gives each connection the two properties of a real
 * object store that a server on the same machine lacks: a time to first byte and a bandwidth cap per
 * connection. The first response bytes after each request are held until {@code --first-byte-ms}
 * after the request arrived (or a time drawn uniformly between it and {@code --first-byte-max-ms}), and each connection's responses flow at most at
 * {@code --mib-per-second} (AWS S3 gives a single GET connection roughly 50-100 MB/s after a first
 * byte of 10-50 ms). Requests pass unchanged. catchup.sh's emulated-S3 mode puts it between the
 * broker (and the raw-GET measurement) and the S3 server, so that the object store, not the 2 shared
 * cores, is what limits, as it is in a deployment.
 *
 * <pre>
 * java -cp loadtest/target/classes io.strata.loadtest.ThrottledProxy --listen-port 9100 --target-port 9000 \
 *     [--mib-per-second 80] [--first-byte-ms 20] [--first-byte-max-ms 50]
 * </pre>
 *
 * Two threads per connection, blocking sockets; runs until the process is stopped.
 */
public final class ThrottledProxy {

    private static final int BUFFER_BYTES = 64 * 1024;

    private final int targetPort;
    private final double bytesPerNano;
    private final long firstByteNanos;
    private final long firstByteMaxNanos;

    private ThrottledProxy(int targetPort, double mibPerSecond, long firstByteMs, long firstByteMaxMs) {
        this.targetPort = targetPort;
        this.bytesPerNano = mibPerSecond * 1024 * 1024 / 1e9;
        this.firstByteNanos = TimeUnit.MILLISECONDS.toNanos(firstByteMs);
        this.firstByteMaxNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(firstByteMs, firstByteMaxMs));
    }

    /** This response's time to first byte: uniform between the minimum and the maximum. */
    private long firstByteDelayNanos() {
        return firstByteMaxNanos == firstByteNanos ? firstByteNanos
            : ThreadLocalRandom.current().nextLong(firstByteNanos, firstByteMaxNanos + 1);
    }

    public static void main(String[] args) throws IOException {
        Arguments arguments = Arguments.parse(args);
        long firstByteMs = Long.parseLong(arguments.optional("first-byte-ms", "20"));
        ThrottledProxy proxy = new ThrottledProxy(Integer.parseInt(arguments.required("target-port")),
            Double.parseDouble(arguments.optional("mib-per-second", "80")), firstByteMs,
            Long.parseLong(arguments.optional("first-byte-max-ms", Long.toString(firstByteMs))));
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(Integer.parseInt(arguments.required("listen-port")), 100, loopback)) {
            System.out.println("ready port=" + server.getLocalPort());
            while (true) {
                Socket client = server.accept();
                daemon(() -> proxy.serve(client), "proxy-requests");
            }
        }
    }

    /** One proxied connection: its request times, shared by its two copying threads. */
    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        /** When the latest request's first bytes arrived; 0 once its response has started. */
        private volatile long pendingRequestNanos;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void requests() {
            byte[] buffer = new byte[BUFFER_BYTES];
            try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (pendingRequestNanos == 0) {
                        pendingRequestNanos = System.nanoTime();
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // the other side closed; closing both ends the other thread too
            } finally {
                close();
            }
        }

        void responses() {
            byte[] buffer = new byte[BUFFER_BYTES];
            long sentSinceStart = 0;
            long flowStart = 0;
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    long requested = pendingRequestNanos;
                    if (requested != 0) {
                        pendingRequestNanos = 0;
                        sleepUntil(requested + firstByteDelayNanos());
                        flowStart = System.nanoTime();
                        sentSinceStart = 0;
                    }
                    out.write(buffer, 0, n);
                    sentSinceStart += n;
                    sleepUntil(flowStart + (long) (sentSinceStart / bytesPerNano));
                }
            } catch (IOException e) {
                // as above
            } finally {
                close();
            }
        }

        void close() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = new Socket();
        try {
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 10_000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
        } catch (IOException e) {
            System.err.println("cannot reach the S3 server on port " + targetPort + ": " + e.getMessage());
            try {
                client.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
            return;
        }
        Connection connection = new Connection(client, upstream);
        daemon(connection::responses, "proxy-responses");
        connection.requests();
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void sleepUntil(long deadlineNanos) {
        for (long left; (left = deadlineNanos - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }
}
