package io.strata.broker.network;

import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.Endpoint;
import io.strata.broker.protocol.ApiHandlerRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka-protocol TCP listener: a Vert.x {@link NetServer} bound to {@code listeners} that creates one
 * {@link KafkaConnection} per accepted socket.
 *
 * <p>Connection limits: {@code max.connections} (a connection beyond the cap is closed at once with a WARN
 * line) and {@code connections.max.idle.ms} (Vert.x idle timeout: a connection with neither reads nor writes
 * for that long is closed; non-positive disables it).
 *
 * <p>Thread-safe: {@link #start()} and {@link #close()} may be called from any thread, connections are
 * tracked in concurrent structures.
 */
public final class KafkaServer {
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaServer.class);

    private final Vertx vertx;
    private final BrokerConfig config;
    private final ApiHandlerRegistry registry;
    private final Set<KafkaConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final AtomicLong connectionSequence = new AtomicLong();
    private volatile NetServer server;
    private volatile boolean closed;

    public KafkaServer(Vertx vertx, BrokerConfig config, ApiHandlerRegistry registry) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Binds the listener.
     *
     * @return the bound port (the one the OS chose when {@code listeners} has port 0)
     */
    public Future<Integer> start() {
        if (server != null) {
            return Future.failedFuture(new IllegalStateException("KafkaServer already started"));
        }
        Endpoint listener = config.listener();
        NetServerOptions options = new NetServerOptions()
                .setHost(listener.host())
                .setPort(listener.port())
                .setTcpNoDelay(true)
                .setReuseAddress(true);
        if (config.connectionsMaxIdleMs() > 0) {
            options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.connectionsMaxIdleMs()))
                    .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        }
        NetServer netServer = vertx.createNetServer(options).connectHandler(this::onConnect);
        this.server = netServer;
        return netServer.listen().map(bound -> {
            int port = bound.actualPort();
            LOGGER.info("Kafka listener bound to {}:{} (advertised {}), serving {}", listener.host(), port,
                    config.advertisedListener(), registry.apiKeys().size() + " APIs");
            return port;
        });
    }

    /** The bound port, or 0 before {@link #start()} completed. */
    public int actualPort() {
        NetServer current = server;
        return current == null ? 0 : current.actualPort();
    }

    /** Number of open connections. */
    public int connectionCount() {
        return connectionCount.get();
    }

    /** Stops accepting, then closes every open connection. */
    public Future<Void> close() {
        closed = true;
        NetServer current = server;
        Future<Void> listenerClosed = current == null ? Future.succeededFuture() : current.close();
        return listenerClosed.compose(ignored -> {
            List<Future<Void>> closing = connections.stream().map(KafkaConnection::close).toList();
            return Future.join(closing).<Void>mapEmpty();
        }).onComplete(ignored -> LOGGER.info("Kafka listener closed"));
    }

    private void onConnect(NetSocket socket) {
        if (closed) {
            socket.close();
            return;
        }
        int max = config.maxConnections();
        if (connectionCount.incrementAndGet() > max) {
            connectionCount.decrementAndGet();
            LOGGER.warn("Refusing connection from {}: max.connections={} reached", socket.remoteAddress(), max);
            socket.close();
            return;
        }
        KafkaConnection connection = new KafkaConnection(socket, connectionId(socket), registry, config);
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

    private static String address(SocketAddress address) {
        if (address == null) {
            return "unknown";
        }
        String host = address.hostAddress() != null ? address.hostAddress() : address.host();
        return host + ":" + address.port();
    }
}
