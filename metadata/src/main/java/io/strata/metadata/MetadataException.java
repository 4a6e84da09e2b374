package io.strata.metadata;

/**
 * The metadata database could not answer (unreachable, timed out, refused the statement). Retriable: the
 * caller tries again later; nothing was decided.
 */
public class MetadataException extends RuntimeException {
    public MetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
