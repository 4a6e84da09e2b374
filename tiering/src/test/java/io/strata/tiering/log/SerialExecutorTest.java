package io.strata.tiering.log;

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

class SerialExecutorTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void tasksRunOneAtATimeInSubmissionOrder() throws InterruptedException {
        SerialExecutor serial = new SerialExecutor(pool);
        List<Integer> order = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(500);

        for (int i = 0; i < 500; i++) {
            int n = i;
            serial.execute(() -> {
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
    void aFailingTaskDoesNotStopTheOnesAfterIt() throws InterruptedException {
        SerialExecutor serial = new SerialExecutor(pool);
        CountDownLatch after = new CountDownLatch(1);

        serial.execute(() -> {
            throw new IllegalStateException("boom");
        });
        serial.execute(after::countDown);

        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void twoSerialExecutorsShareThePoolInParallel() throws InterruptedException {
        SerialExecutor first = new SerialExecutor(pool);
        SerialExecutor second = new SerialExecutor(pool);
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

        first.execute(meet);
        second.execute(meet);

        assertThat(finished.await(10, TimeUnit.SECONDS)).as("both ran at the same time").isTrue();
    }

    @Test
    void tasksQueuedBehindARunningOneRunOnItsThreadAndGiveThePoolBackAfterATurn() throws InterruptedException {
        // Given a pool that counts the work handed to it, and a first task that waits until more are queued
        AtomicInteger submissions = new AtomicInteger();
        SerialExecutor serial = new SerialExecutor(task -> {
            submissions.incrementAndGet();
            pool.execute(task);
        });
        CountDownLatch queued = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        int behind = SerialExecutor.MAX_TASKS_PER_TURN + 2;
        CountDownLatch done = new CountDownLatch(1 + behind);
        serial.execute(() -> {
            try {
                queued.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            threads.add(Thread.currentThread().getName());
            done.countDown();
        });

        // When more tasks than one turn holds queue up behind it
        for (int i = 0; i < behind; i++) {
            serial.execute(() -> {
                threads.add(Thread.currentThread().getName());
                done.countDown();
            });
        }
        queued.countDown();

        // Then the first turn ran MAX_TASKS_PER_TURN tasks on one thread, and one more hand-off ran the rest
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(submissions.get()).isEqualTo(2);
        assertThat(threads.subList(0, SerialExecutor.MAX_TASKS_PER_TURN)).containsOnly(threads.get(0));
    }

    @Test
    void aTaskRefusedByThePoolNeverRunsAndTheNextOneDoes() throws InterruptedException {
        AtomicInteger refusals = new AtomicInteger(1);
        SerialExecutor serial = new SerialExecutor(task -> {
            if (refusals.getAndDecrement() > 0) {
                throw new java.util.concurrent.RejectedExecutionException("full");
            }
            pool.execute(task);
        });
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch second = new CountDownLatch(1);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> serial.execute(() -> ran.add("refused")))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        serial.execute(() -> {
            ran.add("accepted");
            second.countDown();
        });

        assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("accepted");
    }
}
