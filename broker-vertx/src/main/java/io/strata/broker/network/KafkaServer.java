package io.strata.broker.network;

import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.Endpoint;
import io.strata.broker.protocol.ApiHandlerRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka-protocol TCP listener bound to {@code listeners}. It runs {@code num.network.threads} Vert.x
 * {@link NetServer}s on as many event loops, all on the same port (Vert.x shares the socket and spreads
 * accepted connections over them), and creates one {@link KafkaConnection} per accepted socket, which stays
 * on its event loop for life.
 *
 * <p>Connection limits: {@code max.connections} (a connection beyond the cap is closed at once with a WARN
 * line) and {@code connections.max.idle.ms} (enforced by each {@link KafkaConnection}; non-positive disables
 * it). All connections share one {@link RequestBudget} ({@code queued.max.request.bytes}).
 *
 * <p>Thread-safe: {@link #start()} and {@link #close()} may be called from any thread; connections, which
 * live on several event loops, are tracked in concurrent structures.
 */
public final class KafkaServer {
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaServer.class);

    private static final AtomicInteger RANDOM_SHARED_PORT = new AtomicInteger(-1);

    private final Vertx vertx;
    private final BrokerConfig config;
    private final ApiHandlerRegistry registry;
    private final RequestObserver observer;
    private final RequestBudget budget;
    private final Set<KafkaConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final AtomicLong connectionSequence = new AtomicLong();
    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private volatile int boundPort;
    private volatile boolean started;
    private volatile boolean closed;

    public KafkaServer(Vertx vertx, BrokerConfig config, ApiHandlerRegistry registry) {
        this(vertx, config, registry, RequestObserver.NONE);
    }

    /** @param observer told about every request answered on any connection (request metrics) */
    public KafkaServer(Vertx vertx, BrokerConfig config, ApiHandlerRegistry registry, RequestObserver observer) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.budget = new RequestBudget(config.queuedMaxRequestBytes());
    }

    /**
     * Binds the listener on every network thread.
     *
     * @return the bound port (the one the OS chose when {@code listeners} has port 0)
     */
    public synchronized Future<Integer> start() {
        if (started) {
            return Future.failedFuture(new IllegalStateException("KafkaServer already started"));
        }
        started = true;
        Endpoint listener = config.listener();
        int threads = config.numNetworkThreads();
        // Vert.x shares one socket among servers listening on the same port; a random port (0) is only shared
        // when requested as a negative port, one value per KafkaServer so that two servers never collide.
        int requestedPort = listener.port() == 0 ? RANDOM_SHARED_PORT.getAndDecrement() : listener.port();
        return vertx.deployVerticle(() -> new Listener(requestedPort), new DeploymentOptions().setInstances(threads))
                .map(deploymentId -> {
                    deployments.add(deploymentId);
                    return boundPort;
                })
                .onSuccess(bound -> LOGGER.info("Kafka listener bound to {}:{} on {} event loops (advertised {}), {}",
                        listener.host(), bound, threads, advertisedEndpoint(), registry))
                .onFailure(e -> LOGGER.error("Cannot bind Kafka listener {}: {}", listener, e.getMessage()));
    }

    /** The bound port, or 0 before {@link #start()} completed. */
    public int actualPort() {
        return boundPort;
    }

    /**
     * What Metadata should advertise for this broker: {@code advertised.listeners}, with the bound port
     * substituted when the configured port is 0 (tests, ephemeral deployments).
     */
    public Endpoint advertisedEndpoint() {
        Endpoint advertised = config.advertisedListener();
        return advertised.port() == 0 ? advertised.withPort(boundPort) : advertised;
    }

    /** The broker-wide budget of bytes held for unanswered requests. */
    public RequestBudget requestBudget() {
        return budget;
    }

    /** Number of open connections. */
    public int connectionCount() {
        return connectionCount.get();
    }

    /**
     * Closes every open client connection and keeps listening, as a network failure would: clients see
     * their in-flight requests fail and reconnect. Used by tests of client retries.
     */
    public Future<Void> closeConnections() {
        List<Future<Void>> closing = connections.stream().map(KafkaConnection::close).toList();
        return Future.join(closing).mapEmpty();
    }

    /** Stops accepting, then closes every open connection. */
    public Future<Void> close() {
        closed = true;
        List<Future<Void>> undeployed = deployments.stream().map(vertx::undeploy).toList();
        deployments.clear();
        return Future.join(undeployed)
                .transform(ignored -> closeConnections())
                .onComplete(ignored -> LOGGER.info("Kafka listener closed"));
    }

    private NetServerOptions options(int port) {
        return new NetServerOptions()
                .setHost(config.listener().host())
                .setPort(port)
                .setTcpNoDelay(true)
                .setReuseAddress(true);
    }

    /** One NetServer on one event loop; undeploying it closes the server. */
    private final class Listener extends VerticleBase {
        private final int port;

        Listener(int port) {
            this.port = port;
        }

        @Override
        public Future<?> start() {
            return vertx.createNetServer(options(port))
                    .connectHandler(KafkaServer.this::onConnect)
                    .listen()
                    .onSuccess(server -> boundPort = server.actualPort());
        }
    }

    private void onConnect(NetSocket socket) {
        if (closed) {
            socket.close();
            return;
        }
        int max = config.maxConnections();
        if (connectionCount.incrementAndGet() > max) {
            connectionCount.decrementAndGet();
            LOGGER.warn("Refusing connection from {}: max.connections={} reached", address(socket.remoteAddress()), max);
            socket.close();
            return;
        }
        KafkaConnection connection = new KafkaConnection(socket, connectionId(socket), registry, config, budget, observer);
        connections.add(connection);
        connection.closeFuture().onComplete(ignored -> {
            connections.remove(connection);
            connectionCount.decrementAndGet();
        });
        connection.start();
    }

    private String connectionId(NetSocket socket) {
        return address(socket.localAddress()) + "-" + address(socket.remoteAddress()) + "-"
                + connectionSequence.getAndIncrement();
    }

    static String address(SocketAddress address) {
        if (address == null) {
            return "unknown";
        }
        String host = address.hostAddress() != null ? address.hostAddress() : address.host();
        return host + ":" + address.port();
    }
}
