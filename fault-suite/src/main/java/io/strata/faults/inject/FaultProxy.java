package io.strata.faults.inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 that can fail the service behind it (the S3 server, for the object-store faults):
 * {@link Mode#PASS} copies bytes both ways; {@link Mode#REFUSE} closes every new connection at once (the
 * service is gone); {@link Mode#BLACKHOLE} accepts connections and swallows requests without ever answering
 * (the service hangs); {@link Mode#SLOW} delays every chunk of a response by {@code delayMs};
 * {@link Mode#LOSE_REPLIES} forwards requests but swallows any chunk of a response that holds a given marker and cuts
 * that connection (the service did the work, its client never hears of it: a database's answer to COMMIT, for
 * example). Switching to {@link Mode#REFUSE} or {@link Mode#BLACKHOLE} also cuts the connections already open, so
 * kept-alive connections fail too. Two threads per connection, blocking sockets (as loadtest's ThrottledProxy); a
 * marker split across two reads of a response goes through. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(FaultProxy.class);
    private static final int BUFFER_BYTES = 64 * 1024;

    /** What the proxy does with traffic. */
    public enum Mode { PASS, REFUSE, BLACKHOLE, SLOW, LOSE_REPLIES }

    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong failedConnections = new AtomicLong();
    private final AtomicLong lostReplies = new AtomicLong();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMs;
    private volatile byte[] lostReplyMarker = new byte[0];
    private volatile boolean closed;

    private FaultProxy(int targetPort, ServerSocket server) {
        this.targetPort = targetPort;
        this.server = server;
    }

    /** Listens on a free port of 127.0.0.1 and forwards to {@code targetPort} there. */
    public static FaultProxy start(int targetPort) throws IOException {
        ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        FaultProxy proxy = new FaultProxy(targetPort, server);
        daemon(proxy::acceptLoop, "fault-proxy-accept");
        return proxy;
    }

    public int port() {
        return server.getLocalPort();
    }

    public Mode mode() {
        return mode;
    }

    /** Switches mode; a failing mode cuts the open connections. */
    public void setMode(Mode newMode) {
        setMode(newMode, 0);
    }

    /** Switches mode ({@code delayMs} is used by {@link Mode#SLOW}). */
    public void setMode(Mode newMode, long newDelayMs) {
        delayMs = newDelayMs;
        mode = newMode;
        LOGGER.info("fault proxy :{} -> :{} now {}{}", port(), targetPort, newMode,
                newMode == Mode.SLOW ? " (" + newDelayMs + " ms per chunk)" : "");
        if (newMode == Mode.REFUSE || newMode == Mode.BLACKHOLE) {
            open.forEach(FaultProxy::closeQuietly);
        }
    }

    /**
     * Switches to {@link Mode#LOSE_REPLIES}: from now on a response chunk holding {@code marker} is dropped and its
     * connection cut, both ways.
     */
    public void loseRepliesContaining(byte[] marker) {
        if (marker.length == 0) {
            throw new IllegalArgumentException("an empty marker would lose every reply");
        }
        lostReplyMarker = marker.clone();
        setMode(Mode.LOSE_REPLIES);
    }

    /** Replies dropped so far in {@link Mode#LOSE_REPLIES}. */
    public long lostReplies() {
        return lostReplies.get();
    }

    /** Connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    /** Connections refused or swallowed so far. */
    public long failedConnections() {
        return failedConnections.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                connections.incrementAndGet();
                daemon(() -> serve(client), "fault-proxy-requests");
            } catch (IOException e) {
                if (!closed) {
                    LOGGER.warn("fault proxy accept failed: {}", e.toString());
                }
            }
        }
    }

    private void serve(Socket client) {
        Mode now = mode;
        if (now == Mode.REFUSE) {
            failedConnections.incrementAndGet();
            closeQuietly(client);
            return;
        }
        open.add(client);
        if (now == Mode.BLACKHOLE) {
            failedConnections.incrementAndGet();
            swallow(client);
            return;
        }
        Socket upstream = new Socket();
        try {
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 10_000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
        } catch (IOException e) {
            closeQuietly(client);
            open.remove(client);
            return;
        }
        open.add(upstream);
        daemon(() -> copy(upstream, client, true), "fault-proxy-responses");
        copy(client, upstream, false);
    }

    private void swallow(Socket client) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = client.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // never answered
            }
        } catch (IOException e) {
            // cut
        } finally {
            closeQuietly(client);
            open.remove(client);
        }
    }

    private void copy(Socket from, Socket to, boolean responses) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (responses && mode == Mode.SLOW) {
                    TimeUnit.MILLISECONDS.sleep(delayMs);
                }
                if (responses && mode == Mode.LOSE_REPLIES && contains(buffer, n, lostReplyMarker)) {
                    lostReplies.incrementAndGet();
                    return; // dropped; finally cuts both sides
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // one side closed or was cut; closing both ends the other thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static boolean contains(byte[] buffer, int length, byte[] marker) {
        outer:
        for (int start = 0; start + marker.length <= length; start++) {
            for (int i = 0; i < marker.length; i++) {
                if (buffer[start + i] != marker[i]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        open.forEach(FaultProxy::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
