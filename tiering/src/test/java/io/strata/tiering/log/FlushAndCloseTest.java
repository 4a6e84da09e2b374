package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;

/** flush.messages, flush.ms, explicit flush and close: fsync, then a checkpoint of the recovery point. */
class FlushAndCloseTest extends LogHarnessTest {

    private long recoveryPoint() {
        return harness.partitionState().recoveryPoint();
    }

    @Test
    void flushMessagesCheckpointsTheRecoveryPointOnceEnoughRecordsArrived() {
        PartitionLog log = harness.open(config("flush.messages", "5"));
        log.append(batch().records(2).build());
        log.append(batch().records(2).build());
        assertThat(recoveryPoint()).isZero();

        log.append(batch().records(1).build());

        await().atMost(Duration.ofSeconds(10)).until(() -> recoveryPoint() == 5);
        log.append(batch().records(4).build());
        assertThat(recoveryPoint()).isEqualTo(5);
    }

    @Test
    void flushMsCheckpointsOnlyOnceTheIntervalHasPassed() {
        PartitionLog log = harness.open(config("flush.ms", "1000"));
        log.append(batch().records(3).build());
        harness.clock.advance(Duration.ofMillis(999));
        log.maybeFlush();
        assertThat(recoveryPoint()).isZero();

        harness.clock.advance(Duration.ofMillis(1));
        log.maybeFlush();

        await().atMost(Duration.ofSeconds(10)).until(() -> recoveryPoint() == 3);
    }

    @Test
    void flushCheckpointsTheLogEndAndTheProducerState() {
        PartitionLog log = harness.open(config());
        log.append(batch().producer(9, (short) 0, 0).records(4).build());

        log.flush();

        assertThat(recoveryPoint()).isEqualTo(4);
        assertThat(harness.store.producerStates().list(harness.key)).singleElement()
                .satisfies(p -> assertThat(p.producerId()).isEqualTo(9));
    }

    @Test
    void aRollCheckpointsTheSealedSegment() {
        PartitionLog log = harness.open(config("segment.bytes", "1024"));
        while (log.segmentRecords().size() < 2) {
            log.append(batch().records(1).valueSize(200).build());
        }
        long activeBase = log.segmentRecords().get(1).baseOffset();

        await().atMost(Duration.ofSeconds(10)).until(() -> recoveryPoint() == activeBase);
    }

    @Test
    void closeCheckpointsTheLogEndAndRejectsLaterAppends() {
        PartitionLog log = harness.open(config());
        log.append(batch().records(3).build());

        log.close();

        assertThat(recoveryPoint()).isEqualTo(3);
        assertThatThrownBy(() -> log.append(batch().build())).isInstanceOf(KafkaStorageException.class);
    }

    /** Holds every task until {@link #release()}, and tells when the first one arrived. */
    private static final class GatedExecutor implements Executor {
        final CountDownLatch submitted = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        final Executor delegate;

        GatedExecutor(Executor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable task) {
            submitted.countDown();
            delegate.execute(() -> {
                try {
                    if (gate.await(30, TimeUnit.SECONDS)) {
                        task.run();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        void release() {
            gate.countDown();
        }
    }

    @Test
    void anAppendRacingCloseFailsCleanlyAndWritesNothing() throws Exception {
        harness.open(config()).close();
        GatedExecutor flushes = new GatedExecutor(harness.background);
        PartitionLog log = harness.open(true, flushes);
        log.append(batch().records(2).build());
        CompletableFuture<Void> closing = CompletableFuture.runAsync(log::close);
        assertThat(flushes.submitted.await(10, TimeUnit.SECONDS)).as("close queued its final flush").isTrue();

        Throwable racing = catchThrowable(() -> log.append(batch().records(5).build()));
        flushes.release();
        closing.get(10, TimeUnit.SECONDS);

        assertThat(racing).isInstanceOf(KafkaStorageException.class);
        PartitionLog reopened = harness.open(true);
        assertThat(reopened.highWatermark()).isEqualTo(2);
        assertThat(recoveryPoint()).isEqualTo(2);
        assertThat(reopened.segmentRecords().get(0).sizeBytes())
                .isEqualTo(reopened.read(0, Integer.MAX_VALUE, true).records().sizeInBytes());
    }
}
