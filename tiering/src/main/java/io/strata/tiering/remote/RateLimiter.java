package io.strata.tiering.remote;

import java.util.concurrent.TimeUnit;

/**
 * A token bucket in bytes per second, holding at most one second of tokens. {@link #acquire} blocks
 * the calling (upload) thread until the bytes may go. Thread-safe.
 */
final class RateLimiter {

    private final long bytesPerSecond;
    private long available;
    private long lastRefillNanos = System.nanoTime();

    RateLimiter(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.available = bytesPerSecond;
    }

    void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond == Long.MAX_VALUE) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            refill();
            available -= bytes;
            waitNanos = available >= 0 ? 0 : TimeUnit.SECONDS.toNanos(1) * -available / bytesPerSecond;
        }
        if (waitNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(waitNanos);
        }
    }

    private void refill() {
        long now = System.nanoTime();
        long earned = (long) ((now - lastRefillNanos) / 1e9 * bytesPerSecond);
        if (earned > 0) {
            available = Math.min(bytesPerSecond, available + earned);
            lastRefillNanos = now;
        }
    }
}
