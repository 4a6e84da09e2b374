package io.strata.broker.network;

/**
 * A frame announced a size below 0 or above {@code socket.request.max.bytes}. Raised before any byte of the
 * body is buffered; the connection that sent it must be closed.
 *
 * <p>Immutable and therefore thread-safe.
 */
public final class InvalidFrameSizeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int size;
    private final int maxSize;

    public InvalidFrameSizeException(int size, int maxSize) {
        super("Invalid request frame size " + size + " (allowed 0.." + maxSize + ")");
        this.size = size;
        this.maxSize = maxSize;
    }

    public int size() {
        return size;
    }

    public int maxSize() {
        return maxSize;
    }
}
