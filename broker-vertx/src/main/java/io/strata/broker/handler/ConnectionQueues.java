package io.strata.broker.handler;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue of blocking work per connection on a shared pool: the tasks of one connection run one at a
 * time, in submission order, and different connections run in parallel. A producer sends all its
 * requests to a broker over one connection, so its pipelined requests reach every partition in the
 * order it sent them (Apache Kafka gives the same guarantee by handling one request per connection at
 * a time).
 *
 * <p>A pool thread that finishes a task goes on with the next one of the same connection, up to
 * {@value #MAX_TASKS_PER_TURN} in a row, before it hands the rest back to the pool, so a busy
 * connection costs one thread wake-up for several requests and never keeps a thread for long. A
 * connection's queue exists only while it has tasks: closed connections leave nothing behind.
 *
 * <p>Thread-safe.
 */
final class ConnectionQueues {

    private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionQueues.class);

    static final int MAX_TASKS_PER_TURN = 16;

    private final Executor pool;
    /** Per connection with work: its tasks, the head being the one running (or about to). */
    private final ConcurrentHashMap<String, ArrayDeque<Runnable>> queues = new ConcurrentHashMap<>();

    ConnectionQueues(Executor pool) {
        this.pool = pool;
    }

    /** The executor of {@code connectionId}'s queue. */
    Executor of(String connectionId) {
        return task -> execute(connectionId, task);
    }

    /**
     * Queues {@code task} behind the connection's earlier tasks.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the pool refuses work (shut down); the
     *         connection's queued tasks are then dropped, never run
     */
    void execute(String connectionId, Runnable task) {
        boolean[] first = new boolean[1];
        queues.compute(connectionId, (id, queue) -> {
            ArrayDeque<Runnable> tasks = queue == null ? new ArrayDeque<>() : queue;
            first[0] = queue == null;
            tasks.add(task);
            return tasks;
        });
        if (first[0]) {
            submitTurn(connectionId);
        }
    }

    private void submitTurn(String connectionId) {
        try {
            pool.execute(() -> runTurn(connectionId));
        } catch (RuntimeException e) {
            queues.remove(connectionId);
            throw e;
        }
    }

    private void runTurn(String connectionId) {
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
            // The entry stays while its head runs, so a new task queues behind it instead of starting a turn.
            Runnable[] head = new Runnable[1];
            queues.computeIfPresent(connectionId, (id, tasks) -> {
                head[0] = tasks.peek();
                return tasks;
            });
            if (head[0] == null) {
                return;
            }
            try {
                head[0].run();
            } catch (RuntimeException e) {
                LOGGER.error("Task of connection {} failed: {}", connectionId, e.toString(), e);
            }
            if (!removeHead(connectionId)) {
                return;
            }
        }
        submitTurn(connectionId);
    }

    /** Removes the task that just ran; returns whether more are queued (if not, the queue is gone). */
    private boolean removeHead(String connectionId) {
        boolean[] more = new boolean[1];
        queues.computeIfPresent(connectionId, (id, tasks) -> {
            tasks.poll();
            more[0] = !tasks.isEmpty();
            return more[0] ? tasks : null;
        });
        return more[0];
    }
}
