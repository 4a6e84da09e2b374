package io.strata.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Storage writes of a test double that apply at once, unless the test holds the next one back (as a slow disk or
 * database would) until it releases it; or fails the next one (as a fenced write or an unreachable database would).
 */
final class HeldWrites {

    private final List<Runnable> held = new ArrayList<>();
    private boolean holdNext;
    private RuntimeException failNext;

    void holdNext() {
        holdNext = true;
    }

    void failNext(RuntimeException failure) {
        failNext = failure;
    }

    /** Applies the write held first and completes it. */
    void releaseFirstHeld() {
        held.remove(0).run();
    }

    /** A write applying {@code apply}: now, when released, or never (failed). */
    CompletableFuture<Void> write(Runnable apply) {
        if (failNext != null) {
            RuntimeException failure = failNext;
            failNext = null;
            return CompletableFuture.failedFuture(failure);
        }
        if (!holdNext) {
            apply.run();
            return CompletableFuture.completedFuture(null);
        }
        holdNext = false;
        CompletableFuture<Void> done = new CompletableFuture<>();
        held.add(() -> {
            apply.run();
            done.complete(null);
        });
        return done;
    }
}
