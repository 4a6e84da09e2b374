package io.strata.broker.metrics;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's HTTP server, separate from the Kafka listener ({@code http.host}:{@code http.port}):
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text exposition (format 0.0.4) of {@link BrokerMetrics}, rendered
 *       on the one-thread {@code metrics-scrape} worker pool, never on the event loop;</li>
 *   <li>{@code GET /health}: 200 {@code OK} whenever the process runs and its event loop answers;</li>
 *   <li>{@code GET /ready}: 200 {@code READY} when {@link BrokerReadiness} says so, else 503 with the
 *       reason as plain text;</li>
 *   <li>any other path: 404; another method on these paths: 405.</li>
 * </ul>
 * Thread-safe.
 */
public final class MetricsHttpServer {

    private static final Logger LOGGER = LoggerFactory.getLogger(MetricsHttpServer.class);

    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    private final HttpServer server;
    private final WorkerExecutor scrapes;

    private MetricsHttpServer(HttpServer server, WorkerExecutor scrapes) {
        this.server = server;
        this.scrapes = scrapes;
    }

    /** Binds {@code host:port} (port 0: a free port); completes with the running server. */
    public static Future<MetricsHttpServer> start(Vertx vertx, String host, int port, BrokerMetrics metrics,
                                                  BrokerReadiness readiness) {
        WorkerExecutor scrapes = vertx.createSharedWorkerExecutor("metrics-scrape", 1);
        return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                .requestHandler(request -> route(request, metrics, readiness, scrapes))
                .listen()
                .map(server -> new MetricsHttpServer(server, scrapes))
                .onSuccess(started -> LOGGER.info("HTTP server for /metrics, /health and /ready bound to {}:{}",
                        host, started.port()))
                .onFailure(e -> scrapes.close());
    }

    /** The bound port. */
    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        return server.close().eventually(scrapes::close);
    }

    private static void route(HttpServerRequest request, BrokerMetrics metrics, BrokerReadiness readiness,
                              WorkerExecutor scrapes) {
        String path = request.path();
        if (!"/metrics".equals(path) && !"/health".equals(path) && !"/ready".equals(path)) {
            reply(request, 404, PLAIN_TEXT, "Not found: " + path + " (try /metrics, /health or /ready)\n");
        } else if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
            request.response().putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            reply(request, 405, PLAIN_TEXT, "Method not allowed: " + request.method() + "\n");
        } else if ("/health".equals(path)) {
            reply(request, 200, PLAIN_TEXT, "OK\n");
        } else if ("/ready".equals(path)) {
            readiness.notReadyReason().ifPresentOrElse(
                    reason -> reply(request, 503, PLAIN_TEXT, "NOT READY: " + reason + "\n"),
                    () -> reply(request, 200, PLAIN_TEXT, "READY\n"));
        } else {
            scrapes.executeBlocking(metrics::scrape, false).onComplete(result -> {
                if (result.succeeded()) {
                    reply(request, 200, PROMETHEUS_TEXT, result.result());
                } else {
                    LOGGER.warn("Metrics scrape failed: {}", result.cause().toString());
                    reply(request, 500, PLAIN_TEXT, "Scrape failed: " + result.cause() + "\n");
                }
            });
        }
    }

    private static void reply(HttpServerRequest request, int status, String contentType, String body) {
        request.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                .end(request.method() == HttpMethod.HEAD ? "" : body);
    }
}
