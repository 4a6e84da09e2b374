package io.strata.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionQueuesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final AtomicInteger submissions = new AtomicInteger();
    private final ConnectionQueues queues = new ConnectionQueues(task -> {
        submissions.incrementAndGet();
        pool.execute(task);
    });

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void oneConnectionsTasksRunOneAtATimeInSubmissionOrder() throws InterruptedException {
        List<Integer> order = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(500);

        for (int i = 0; i < 500; i++) {
            int n = i;
            queues.execute("c1", () -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                order.add(n);
                running.decrementAndGet();
                done.countDown();
            });
        }

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).isEqualTo(IntStream.range(0, 500).boxed().toList());
        assertThat(maxRunning.get()).isEqualTo(1);
    }

    @Test
    void twoConnectionsRunInParallel() throws InterruptedException {
        CountDownLatch bothStarted = new CountDownLatch(2);
        CountDownLatch finished = new CountDownLatch(2);
        Runnable meet = () -> {
            bothStarted.countDown();
            try {
                if (bothStarted.await(10, TimeUnit.SECONDS)) {
                    finished.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        queues.execute("c1", meet);
        queues.execute("c2", meet);

        assertThat(finished.await(10, TimeUnit.SECONDS)).as("both ran at the same time").isTrue();
    }

    @Test
    void tasksQueuedBehindARunningOneRunOnItsThreadAndGiveThePoolBackAfterATurn() throws InterruptedException {
        // Given a first task that waits until more than a turn's worth are queued behind it
        CountDownLatch queued = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        int behind = ConnectionQueues.MAX_TASKS_PER_TURN + 2;
        CountDownLatch done = new CountDownLatch(1 + behind);
        queues.execute("c1", () -> {
            try {
                queued.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            threads.add(Thread.currentThread().getName());
            done.countDown();
        });
        for (int i = 0; i < behind; i++) {
            queues.execute("c1", () -> {
                threads.add(Thread.currentThread().getName());
                done.countDown();
            });
        }

        // When
        queued.countDown();

        // Then one turn ran MAX_TASKS_PER_TURN tasks on one thread, and a second hand-off ran the rest
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(submissions.get()).isEqualTo(2);
        assertThat(threads.subList(0, ConnectionQueues.MAX_TASKS_PER_TURN)).containsOnly(threads.get(0));
    }

    @Test
    void aFailingTaskDoesNotStopTheOnesAfterItAndAnIdleConnectionStartsAFreshTurn() throws InterruptedException {
        CountDownLatch after = new CountDownLatch(1);
        queues.execute("c1", () -> {
            throw new IllegalStateException("boom");
        });
        queues.execute("c1", after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();

        CountDownLatch later = new CountDownLatch(1);
        queues.of("c1").execute(later::countDown);
        assertThat(later.await(10, TimeUnit.SECONDS)).as("a connection whose queue emptied runs new tasks").isTrue();
    }
}
