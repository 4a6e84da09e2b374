package io.strata.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
            queues.submit("c1", () -> {
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

        queues.submit("c1", meet);
        queues.submit("c2", meet);

        assertThat(finished.await(10, TimeUnit.SECONDS)).as("both ran at the same time").isTrue();
    }

    @Test
    void tasksQueuedBehindARunningOneRunOnItsThreadAndGiveThePoolBackAfterATurn() throws InterruptedException {
        // Given a first task that waits until more than a turn's worth are queued behind it
        CountDownLatch queued = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        int behind = ConnectionQueues.MAX_TASKS_PER_TURN + 2;
        CountDownLatch done = new CountDownLatch(1 + behind);
        queues.submit("c1", () -> {
            try {
                queued.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            threads.add(Thread.currentThread().getName());
            done.countDown();
        });
        for (int i = 0; i < behind; i++) {
            queues.submit("c1", () -> {
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
    void aFailingTaskFailsItsFutureOnlyAndAnIdleConnectionStartsAFreshTurn() throws Exception {
        CompletableFuture<Void> failing = queues.submit("c1", () -> {
            throw new IllegalStateException("boom");
        });
        CompletableFuture<Void> after = queues.submit("c1", () -> { });
        assertThat(after).succeedsWithin(10, TimeUnit.SECONDS);
        assertThat(failing).failsWithin(0, TimeUnit.SECONDS).withThrowableThat()
                .havingCause().isInstanceOf(IllegalStateException.class).withMessage("boom");

        CompletableFuture<Void> later = queues.submit("c1", () -> { });
        assertThat(later).as("a connection whose queue emptied runs new tasks").succeedsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void whenThePoolRefusesTheNextTurnTheTasksLeftInTheQueueFailWithTheRefusal() throws Exception {
        // Given a pool that takes one turn, then refuses work, and a first task that waits until more than a
        // turn's worth are queued behind it
        RejectedExecutionException refusal = new RejectedExecutionException("pool shut down");
        AtomicInteger turnsAccepted = new AtomicInteger(1);
        ConnectionQueues refusing = new ConnectionQueues(task -> {
            if (turnsAccepted.getAndDecrement() <= 0) {
                throw refusal;
            }
            pool.execute(task);
        });
        CountDownLatch queued = new CountDownLatch(1);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        futures.add(refusing.submit("c1", () -> await(queued)));
        int behind = ConnectionQueues.MAX_TASKS_PER_TURN + 3;
        List<Integer> ran = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= behind; i++) {
            int n = i;
            futures.add(refusing.submit("c1", () -> ran.add(n)));
        }

        // When the first turn ends and the pool refuses the next one
        queued.countDown();

        // Then the tasks of the first turn ran, and the future of every task left behind fails with the refusal
        int firstTurn = ConnectionQueues.MAX_TASKS_PER_TURN;
        for (CompletableFuture<Void> future : futures.subList(0, firstTurn)) {
            assertThat(future).succeedsWithin(10, TimeUnit.SECONDS);
        }
        for (CompletableFuture<Void> future : futures.subList(firstTurn, futures.size())) {
            assertThat(future).failsWithin(10, TimeUnit.SECONDS).withThrowableThat().havingCause().isSameAs(refusal);
        }
        assertThat(ran).isEqualTo(IntStream.range(1, firstTurn).boxed().toList());

        // And once the pool takes work again, the connection starts afresh
        turnsAccepted.set(1);
        assertThat(refusing.submit("c1", () -> { })).succeedsWithin(10, TimeUnit.SECONDS);
    }

    @Test
    void whenThePoolRefusesTheFirstTurnTheTasksQueuedMeanwhileFailWithTheRefusal() throws Exception {
        // Given a pool that refuses work only after tasks queued behind the connection's first one
        RejectedExecutionException refusal = new RejectedExecutionException("pool shut down");
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch othersQueued = new CountDownLatch(1);
        ConnectionQueues refusing = new ConnectionQueues(task -> {
            asked.countDown();
            await(othersQueued);
            throw refusal;
        });
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<CompletableFuture<Void>> first = CompletableFuture.supplyAsync(
                () -> refusing.submit("c1", () -> ran.add("first")), pool);
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Void>> queued = List.of(refusing.submit("c1", () -> ran.add("second")),
                refusing.submit("c1", () -> ran.add("third")));

        // When the pool refuses the turn
        othersQueued.countDown();

        // Then no task ran, and every one's future fails with the refusal
        assertThat(first.get(10, TimeUnit.SECONDS)).failsWithin(0, TimeUnit.SECONDS)
                .withThrowableThat().havingCause().isSameAs(refusal);
        for (CompletableFuture<Void> future : queued) {
            assertThat(future).failsWithin(0, TimeUnit.SECONDS).withThrowableThat().havingCause().isSameAs(refusal);
        }
        assertThat(ran).isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
