package io.strata.broker.network;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Told about every request a connection answers, for request metrics: which API, how long it took from
 * the frame being decoded to the response being encoded and queued for writing, and the error when the
 * handler failed. Called on the connection's event loop, so it must be quick and must not block.
 */
@FunctionalInterface
public interface RequestObserver {

    /** Observes nothing. */
    RequestObserver NONE = (api, elapsedNanos, error) -> { };

    /**
     * @param error {@link Errors#NONE} when the handler answered, otherwise the error of the error
     *     response sent in its place (a failed {@code acks=0} Produce closes the connection instead)
     */
    void completed(ApiKeys api, long elapsedNanos, Errors error);
}
