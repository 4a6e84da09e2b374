package io.strata.tiering;

import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.RemoteLogManager;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage half of a planned hand-over of a partition, on the old leader ({@link LogManager#handOff}). The
 * caller has stopped accepting appends; then, on a {@code partition-handoff} thread:
 * <ol>
 *   <li>the remote tier's periodic passes are kept off the partition ({@link RemoteLogManager#claim});</li>
 *   <li>the active segment is sealed if it holds anything, and the log is fsynced and checkpointed
 *       ({@link PartitionLog#sealForHandOff}): its end offset is the hand-over's end;</li>
 *   <li>every segment not yet in the bucket is uploaded through the normal copy path (If-None-Match PUTs, the
 *       {@link io.strata.tiering.remote.UploadFence}), the manifest is written, then the producer state at the end
 *       ({@link RemoteLogManager#handOff}); failures are retried with the remote tier's backoff;</li>
 *   <li>the future completes with the end offset: every offset below it is in the bucket.</li>
 * </ol>
 * It fails with {@link TimeoutException} when this has not finished within the timeout ({@link #DEFAULT_TIMEOUT}
 * unless the caller gives one), with {@link io.strata.tiering.remote.UploadFencedException} when the fence says
 * this broker lost the partition, and with the storage error when the log is offline. The local log stays open
 * and readable either way; the caller decides what happens next. At most {@value #THREADS} hand-overs run at
 * once (the others queue). Thread-safe.
 */
final class PartitionHandOff implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(PartitionHandOff.class);
    /** How long a hand-over may take by default, waiting for a pass already uploading the partition included. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    static final int THREADS = 4;

    private final RemoteLogManager remote;
    private final ExecutorService executor;

    PartitionHandOff(RemoteLogManager remote) {
        this.remote = remote;
        AtomicInteger counter = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "partition-handoff-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    /** Starts the hand-over of {@code log}, a partition of {@code topic}; see the class comment. */
    CompletableFuture<Long> start(TopicLogs topic, PartitionLog log, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<Long> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(run(topic, log, deadline));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result.completeExceptionally(e);
                } catch (Exception e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("cannot hand " + log.topicPartition()
                    + " over: the log manager is closing", e));
        }
        // a single S3 request may hang past the deadline: the caller is answered in time regardless
        return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((end, e) -> {
            if (e != null) {
                LOGGER.warn("Hand-over of {} failed: {}", log.topicPartition(), e instanceof TimeoutException
                        ? "not done within " + timeout.toMillis() + " ms" : e.toString());
            }
        });
    }

    private long run(TopicLogs topic, PartitionLog log, long deadline) throws InterruptedException, TimeoutException {
        long started = System.nanoTime();
        remote.claim(log, deadline);
        try {
            long end = log.sealForHandOff();
            awaitCommitted(log, end, deadline);
            remote.handOff(topic, log, end, deadline);
            LOGGER.info("Handed over {} at log end offset {} in {} ms", log.topicPartition(), end,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return end;
        } finally {
            remote.release(log, false);
        }
    }

    /** With a write-ahead log, only committed data may be uploaded (CLUSTER.md rule 3): waits for the last appends. */
    private static void awaitCommitted(PartitionLog log, long end, long deadline)
            throws InterruptedException, TimeoutException {
        try {
            log.awaitCommitted(end).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the appends to " + log.topicPartition() + " below " + end
                    + " were not committed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
