package io.strata.tiering.log;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the tasks of one partition never
 * overlap and never reorder, while different partitions use the pool in parallel. Thread-safe.
 */
final class SerialExecutor implements Executor {

    private final Executor pool;
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private Runnable running;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(() -> {
            try {
                task.run();
            } finally {
                scheduleNext();
            }
        });
        if (running == null) {
            scheduleNext();
        }
    }

    private synchronized void scheduleNext() {
        running = tasks.poll();
        if (running != null) {
            pool.execute(running);
        }
    }
}
