package io.strata.broker.group;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs the storage writes of one group one at a time, in the order they were asked for: a write starts only once the
 * group's previous write has finished (successfully or not). Without it, two writes of one group handed to a shared
 * pool could apply in either order: a committed offset could go backwards, or a group's removal be undone by an
 * older generation. Writes of different groups run side by side. Thread-safe.
 */
final class PerGroupWrites {

    /** The last write of each group with writes still under way; an entry leaves when its write is done. */
    private final Map<String, CompletableFuture<?>> lastWrite = new ConcurrentHashMap<>();

    /** Starts {@code write} once the group's earlier writes are done; completes as it does. */
    <T> CompletableFuture<T> inOrder(String group, Supplier<CompletableFuture<T>> write) {
        CompletableFuture<T> done = new CompletableFuture<>();
        CompletableFuture<?> previous = lastWrite.put(group, done);
        CompletableFuture<?> start = previous == null ? CompletableFuture.completedFuture(null) : previous;
        start.handle((ignored, failure) -> null)
                .thenCompose(ignored -> write.get())
                .whenComplete((value, failure) -> {
                    lastWrite.remove(group, done);
                    if (failure != null) {
                        done.completeExceptionally(failure);
                    } else {
                        done.complete(value);
                    }
                });
        return done;
    }
}
