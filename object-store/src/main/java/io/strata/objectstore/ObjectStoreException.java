package io.strata.objectstore;

/** A failed object-store call, after the implementation's own retries. */
public class ObjectStoreException extends RuntimeException {
    private final boolean retriable;

    public ObjectStoreException(String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.retriable = retriable;
    }

    /** True when trying again later may succeed (server errors, throttling, timeouts, I/O). */
    public boolean retriable() {
        return retriable;
    }
}
