package io.strata.broker.protocol;

import io.vertx.core.Context;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * What a handler knows about the request beyond its body: the parsed header, the connection it came from and
 * the Vert.x context (event loop) of that connection, on which {@link ApiHandler#handle} runs and onto which
 * asynchronous results should come back.
 *
 * <p>Immutable and therefore thread-safe (the header is not modified after decoding).
 *
 * @param header the request header (api key, version, correlation id, client id)
 * @param connectionId unique id of the connection, {@code localHost:localPort-remoteHost:remotePort-seq}
 * @param clientAddress the peer's address, an {@link InetSocketAddress} for TCP connections
 * @param vertxContext the connection's event-loop context
 */
public record RequestContext(RequestHeader header, String connectionId, SocketAddress clientAddress,
                             Context vertxContext) {

    public RequestContext {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(vertxContext, "vertxContext");
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public int correlationId() {
        return header.correlationId();
    }

    /** The client id of the header, {@code ""} when the client sent none. */
    public String clientId() {
        return header.clientId();
    }

    /** The peer's IP address as text (what Kafka reports as client host), or the address' text form. */
    public String clientHost() {
        if (clientAddress instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return clientAddress.toString();
    }
}
