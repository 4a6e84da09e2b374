package io.strata.tiering.log;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: the tasks of one partition never
 * overlap and never reorder, while different partitions use the pool in parallel.
 *
 * <p>A pool thread that runs a task goes on with the tasks queued behind it, up to
 * {@value #MAX_TASKS_PER_TURN} in a row, before it hands the rest back to the pool: under load (a
 * producer's pipelined requests), a partition's appends then cost one pool hand-off for several
 * instead of a thread wake-up each, and no partition keeps a thread for long. Thread-safe.
 */
final class SerialExecutor implements Executor {

    private static final Logger LOGGER = LoggerFactory.getLogger(SerialExecutor.class);
    static final int MAX_TASKS_PER_TURN = 16;

    private final Executor pool;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** True while a turn is submitted to the pool or running. */
    private boolean scheduled;

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    /**
     * Queues {@code task}.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the pool refuses work (shut down); the
     *         task is then dropped, never run
     */
    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        submitTurn(task);
    }

    /**
     * Hands a turn to the pool. When the pool refuses, {@code dropped} (the task being submitted, or null) leaves
     * the queue and the other queued tasks wait for the next accepted submission.
     */
    private void submitTurn(Runnable dropped) {
        try {
            pool.execute(this::runTurn);
        } catch (RuntimeException e) {
            synchronized (this) {
                scheduled = false;
                if (dropped != null) {
                    tasks.removeLastOccurrence(dropped);
                }
            }
            throw e;
        }
    }

    private void runTurn() {
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
            Runnable task;
            synchronized (this) {
                task = tasks.poll();
                if (task == null) {
                    scheduled = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOGGER.error("Serial task failed: {}", e.toString(), e);
            }
        }
        submitTurn(null);
    }
}
