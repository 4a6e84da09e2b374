package io.strata.objectstore.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake S3 endpoint on 127.0.0.1 whose answers a test scripts: each request is recorded and
 * answered by the test's responder (status, body, optional delay before answering). It checks no
 * signature and stores nothing; it exists to inject faults (503, 403, stalls) deterministically
 * and to count requests and how many were in flight at once.
 */
final class ScriptedS3Endpoint implements AutoCloseable {

    /** What the endpoint saw: {@code "GET /bucket/key"}, with {@code ?query} when present. */
    record Request(String method, String path, String query) {
        @Override
        public String toString() {
            return method + " " + path + (query == null ? "" : "?" + query);
        }
    }

    record Reply(int status, String body, Duration delay) {
        static Reply ok(String body) {
            return new Reply(200, body, Duration.ZERO);
        }

        static Reply error(int status, String code) {
            return new Reply(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
                    + "</Code><Message>scripted " + code + "</Message><RequestId>test</RequestId></Error>",
                    Duration.ZERO);
        }

        Reply after(Duration wait) {
            return new Reply(status, body, wait);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Function<Request, Reply> responder = r -> Reply.error(500, "InternalError");

    ScriptedS3Endpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void respond(Function<Request, Reply> newResponder) {
        responder = newResponder;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.transferTo(OutputStreamSink.INSTANCE);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery());
            requests.add(request);
            Reply reply = responder.apply(request);
            // The scripted server stalls here on purpose (the client's timeout is what is tested); not a wait.
            Thread.sleep(reply.delay().toMillis());
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("ETag", "\"0123456789abcdef\"");
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            boolean noBody = request.method().equals("HEAD") || bytes.length == 0;
            exchange.sendResponseHeaders(reply.status(), noBody ? -1 : bytes.length);
            if (!noBody) {
                exchange.getResponseBody().write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Discards what is written to it. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
