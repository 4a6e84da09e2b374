package io.strata.broker.handler;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
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
 * connection's queue exists only while it has tasks: closed connections leave nothing behind. A queue holds at
 * most one task per unanswered request of its connection, so it is bounded by the connection's
 * {@code strata.connection.max.inflight.requests} ({@code io.strata.broker.network.KafkaConnection}).
 *
 * <p>Every task's outcome is the future {@link #submit} returns. When the pool refuses a connection's turn
 * (a {@link java.util.concurrent.RejectedExecutionException} once it is shut down), no task of that queue
 * can run any more: every one of them, the one just submitted and those queued behind it, has its future
 * completed exceptionally with that exception, so no caller waits for work that will never run.
 *
 * <p>Thread-safe.
 */
final class ConnectionQueues {

    private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionQueues.class);

    static final int MAX_TASKS_PER_TURN = 16;

    /** A submitted task and the future of its outcome. */
    private record Task(Runnable work, CompletableFuture<Void> done) {
    }

    private final Executor pool;
    /** Per connection with work: its tasks, the head being the one running (or about to). */
    private final ConcurrentHashMap<String, ArrayDeque<Task>> queues = new ConcurrentHashMap<>();

    ConnectionQueues(Executor pool) {
        this.pool = pool;
    }

    /**
     * Queues {@code work} behind the connection's earlier tasks. The returned future completes once it ran:
     * normally, or exceptionally with what it threw, or with the pool's refusal when it never will.
     */
    CompletableFuture<Void> submit(String connectionId, Runnable work) {
        Task task = new Task(work, new CompletableFuture<>());
        boolean[] first = new boolean[1];
        queues.compute(connectionId, (id, queue) -> {
            ArrayDeque<Task> tasks = queue == null ? new ArrayDeque<>() : queue;
            first[0] = queue == null;
            tasks.add(task);
            return tasks;
        });
        if (first[0]) {
            submitTurn(connectionId);
        }
        return task.done();
    }

    private void submitTurn(String connectionId) {
        try {
            pool.execute(() -> runTurn(connectionId));
        } catch (RuntimeException e) {
            // No turn runs this queue, so no other thread touches it once it is out of the map.
            ArrayDeque<Task> dropped = queues.remove(connectionId);
            LOGGER.warn("Pool refused the tasks of connection {}; failing {} of them: {}", connectionId,
                    dropped.size(), e.toString());
            dropped.forEach(task -> task.done().completeExceptionally(e));
        }
    }

    private void runTurn(String connectionId) {
        for (int i = 0; i < MAX_TASKS_PER_TURN; i++) {
            // The entry stays while its head runs, so a new task queues behind it instead of starting a turn.
            Task[] head = new Task[1];
            queues.computeIfPresent(connectionId, (id, tasks) -> {
                head[0] = tasks.peek();
                return tasks;
            });
            if (head[0] == null) {
                return;
            }
            run(connectionId, head[0]);
            if (!removeHead(connectionId)) {
                return;
            }
        }
        submitTurn(connectionId);
    }

    /** Runs {@code task} and completes its future, as {@link CompletableFuture#runAsync} would. */
    private static void run(String connectionId, Task task) {
        try {
            task.work().run();
            task.done().complete(null);
        } catch (Throwable e) {
            LOGGER.debug("Task of connection {} failed: {}", connectionId, e.toString(), e);
            task.done().completeExceptionally(e);
        }
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
