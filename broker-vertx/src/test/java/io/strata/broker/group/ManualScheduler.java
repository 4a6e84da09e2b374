package io.strata.broker.group;

import java.util.Comparator;
import java.util.PriorityQueue;

/** A {@link GroupScheduler} whose clock only moves in {@link #advance}; due tasks run there, in time order. */
final class ManualScheduler implements GroupScheduler {

    private record Task(long dueMs, long sequence, Runnable action, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            Comparator.comparingLong(Task::dueMs).thenComparingLong(Task::sequence));
    private long now = 1_700_000_000_000L;
    private long sequence;

    @Override
    public long nowMs() {
        return now;
    }

    @Override
    public Timer schedule(long delayMs, Runnable task) {
        boolean[] cancelled = {false};
        tasks.add(new Task(now + delayMs, sequence++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    /** Moves the clock forward by {@code ms}, running every task that falls due on the way. */
    void advance(long ms) {
        long target = now + ms;
        while (!tasks.isEmpty() && tasks.peek().dueMs() <= target) {
            Task task = tasks.poll();
            now = task.dueMs();
            if (!task.cancelled()[0]) {
                task.action().run();
            }
        }
        now = target;
    }
}
