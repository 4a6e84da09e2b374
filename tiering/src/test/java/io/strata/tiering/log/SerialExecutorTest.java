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
}
