package io.strata.broker.network;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker-wide budget of bytes held for requests read but not yet answered ({@code queued.max.request.bytes}).
 * Every connection {@link #acquire acquires} the weight of each request it decodes and {@link #release releases}
 * it once the response is written; while the total is over the budget, every connection stops reading (as
 * Kafka's request memory pool mutes every channel), so the bytes held exceed the budget by at most what the
 * connections had already read when it ran out.
 *
 * <p>Connections {@link #register register} a listener, called (on the releasing or acquiring thread) each time
 * the budget becomes exhausted or available again; the listener re-reads {@link #exhausted()} on its own
 * event loop, so a stale notification does no harm.
 *
 * <p>Thread-safe.
 */
public final class RequestBudget {
    private static final Logger LOGGER = LoggerFactory.getLogger(RequestBudget.class);

    private final long maxBytes;
    private final AtomicLong usedBytes = new AtomicLong();
    private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();

    /** @param maxBytes the budget; the broker stops reading once more than this is held */
    public RequestBudget(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** Counts {@code bytes} more as held; tells the listeners when this exhausts the budget. */
    public void acquire(long bytes) {
        long after = usedBytes.addAndGet(bytes);
        if (after > maxBytes && after - bytes <= maxBytes) {
            LOGGER.info("Request budget exhausted: {} bytes held for unanswered requests (queued.max.request.bytes={}); "
                    + "reading from every connection pauses", after, maxBytes);
            notifyListeners();
        }
    }

    /** Counts {@code bytes} fewer as held; tells the listeners when this makes the budget available again. */
    public void release(long bytes) {
        long after = usedBytes.addAndGet(-bytes);
        if (after <= maxBytes && after + bytes > maxBytes) {
            LOGGER.info("Request budget available again: {} bytes held; reading resumes", after);
            notifyListeners();
        }
    }

    /** Whether more than the budget is held right now. */
    public boolean exhausted() {
        return usedBytes.get() > maxBytes;
    }

    /** Bytes held right now. */
    public long usedBytes() {
        return usedBytes.get();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Calls {@code listener} at every change between exhausted and available, until {@link #unregister}. */
    public void register(Runnable listener) {
        listeners.add(listener);
    }

    public void unregister(Runnable listener) {
        listeners.remove(listener);
    }

    private void notifyListeners() {
        listeners.forEach(Runnable::run);
    }
}
