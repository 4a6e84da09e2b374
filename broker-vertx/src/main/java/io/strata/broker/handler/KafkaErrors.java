package io.strata.broker.handler;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps failures to the Kafka error a client understands. Client-caused errors ({@link ApiException})
 * are expected and logged at debug; anything else is a broker bug or a storage fault, logged at
 * error once and answered with {@code UNKNOWN_SERVER_ERROR} (or {@code KAFKA_STORAGE_ERROR}).
 * Stateless.
 */
public final class KafkaErrors {

    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaErrors.class);

    private KafkaErrors() {
    }

    /** The underlying cause of a failure from a {@code CompletableFuture}. */
    public static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** The Kafka error for {@code error}, logging unexpected ones; {@code what} names the operation for the log. */
    public static Errors toError(Throwable error, String what) {
        Throwable cause = unwrap(error);
        Errors mapped = Errors.forException(cause);
        if (cause instanceof ApiException) {
            LOGGER.debug("{} failed: {}", what, cause.getMessage());
        } else {
            LOGGER.error("{} failed unexpectedly", what, cause);
        }
        return mapped;
    }

    /** The message to send to clients that have an error message field. */
    public static String message(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof ApiException ? cause.getMessage() : "Unexpected broker error: " + cause;
    }
}
