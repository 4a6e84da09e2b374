package io.strata.broker.protocol;

/**
 * Serves one Kafka API. Handlers are registered in an {@link ApiHandlerRegistry}, which derives the
 * ApiVersions answer from their version ranges, so a handler advertises exactly what it implements.
 *
 * <p>Implementations must be thread-safe: one instance serves every connection, and connections live on
 * different event loops. {@link #handle} is always called on the connection's event loop and must not block.
 *
 * @param <R> the request class of {@link #apiKey()}
 */
public interface ApiHandler<R extends org.apache.kafka.common.requests.AbstractRequest> {
    org.apache.kafka.common.protocol.ApiKeys apiKey();

    /** Lowest version served; defaults to what Apache Kafka 4.1 accepts. */
    default short minVersion() {
        return apiKey().oldestVersion();
    }

    /** Highest version served; defaults to the latest stable version of Kafka 4.1 (unstable versions excluded). */
    default short maxVersion() {
        return apiKey().latestVersion(false);
    }

    /** Completes with the response body, or with null when no response must be sent (Produce with acks=0).
        A failed future is answered with request.getErrorResponse(error) and logged. Called on the connection's event loop. */
    io.vertx.core.Future<org.apache.kafka.common.protocol.ApiMessage> handle(RequestContext context, R request);
}
