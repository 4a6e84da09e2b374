package io.strata.objectstore.s3;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Bounds the number of asynchronous calls in flight: a call submitted while {@code maxInFlight}
 * others run waits in a FIFO queue and starts when one of them completes. Nothing blocks.
 * Thread-safe.
 */
final class RequestLimiter {
    private final int maxInFlight;
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    private int inFlight;

    RequestLimiter(int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1");
        }
        this.maxInFlight = maxInFlight;
    }

    /** Starts {@code call} now or once a slot is free; the result completes as the call does. */
    <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> startCall(call, result);
        synchronized (this) {
            if (inFlight >= maxInFlight) {
                waiting.add(start);
                return result;
            }
            inFlight++;
        }
        start.run();
        return result;
    }

    /** Calls waiting for a slot. */
    synchronized int queued() {
        return waiting.size();
    }

    private <T> void startCall(Supplier<CompletableFuture<T>> call, CompletableFuture<T> result) {
        CompletableFuture<T> running;
        try {
            running = call.get();
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        running.whenComplete((value, error) -> {
            release();
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        });
    }

    private void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            next.run(); // the freed slot passes straight to the next waiting call
        }
    }
}
