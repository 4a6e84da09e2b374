package io.strata.broker.group;

/**
 * Time and timers of the group coordinator. Every task runs on the coordinator's single thread (in the broker: its
 * Vert.x context), so coordinator state needs no locks; tests use a manual implementation to move time by hand.
 */
public interface GroupScheduler {

    /** A scheduled task that can still be cancelled. */
    interface Timer {
        /** Cancels the task if it has not run yet; harmless otherwise. */
        void cancel();
    }

    /** The current time in milliseconds since the epoch. */
    long nowMs();

    /** Runs {@code task} on the coordinator thread after {@code delayMs}. Call only from the coordinator thread. */
    Timer schedule(long delayMs, Runnable task);

    /** Runs {@code task} on the coordinator thread soon; may be called from any thread. */
    void execute(Runnable task);
}
