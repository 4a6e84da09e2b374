package io.strata.tiering;

import io.strata.tiering.log.PartitionLog;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of a data directory, all daemons:
 * <ul>
 *   <li>{@code log-scheduler-1} runs the periodic checks over every open log ({@link #schedule}): retention (only
 *       for the partitions the write gate lets this broker write), flush ({@code flush.ms}) and roll by time
 *       ({@code segment.ms}); a check that fails for one log is logged and the others go on;</li>
 *   <li>{@code log-flush-N} (2 threads) flushes and deletes files in the background;</li>
 *   <li>{@code segment-io-N} runs Produce appends, blocking reads and offset lookups ({@link #io}).</li>
 * </ul>
 * Thread-safe. {@link #stopSchedule} comes first at shutdown, {@link #shutdownAndAwait} once every log is closed.
 */
final class LogThreads {

    private static final Logger LOGGER = LoggerFactory.getLogger(LogThreads.class);
    private static final long SHUTDOWN_WAIT_SECONDS = 30;

    private final ScheduledExecutorService scheduler;
    private final ExecutorService background;
    private final ExecutorService io;
    /** Which partitions the periodic retention may apply to (it deletes local and remote segments). */
    private volatile Predicate<TopicPartition> writeGate = tp -> true;

    LogThreads(int ioThreads) {
        this.scheduler = Executors.newSingleThreadScheduledExecutor(namedThreads("log-scheduler"));
        this.background = Executors.newFixedThreadPool(2, namedThreads("log-flush"));
        this.io = Executors.newFixedThreadPool(ioThreads, namedThreads("segment-io"));
    }

    /** The segment-io pool. */
    Executor io() {
        return io;
    }

    /** The log-flush pool: background flushes and file deletions. */
    Executor background() {
        return background;
    }

    /** Sets which partitions the periodic retention applies to; default: every partition. */
    void setWriteGate(Predicate<TopicPartition> mayWrite) {
        this.writeGate = Objects.requireNonNull(mayWrite, "mayWrite");
    }

    /** Starts the periodic checks over the topics {@code topics} supplies at each run. */
    void schedule(LogManagerSchedule schedule, Supplier<Collection<TopicLogs>> topics) {
        scheduler.scheduleWithFixedDelay(() -> forEachLog(topics, "retention", log -> {
                    if (writeGate.test(log.topicPartition())) {
                        log.deleteExpiredSegments();
                    }
                }),
                schedule.retentionCheckMs(), schedule.retentionCheckMs(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> forEachLog(topics, "flush", PartitionLog::maybeFlush),
                schedule.flushCheckMs(), schedule.flushCheckMs(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> forEachLog(topics, "roll", PartitionLog::maybeRollByTime),
                schedule.rollCheckMs(), schedule.rollCheckMs(), TimeUnit.MILLISECONDS);
    }

    private static void forEachLog(Supplier<Collection<TopicLogs>> topics, String task, Consumer<PartitionLog> action) {
        for (TopicLogs topic : topics.get()) {
            for (PartitionLog log : topic.partitions()) {
                try {
                    action.accept(log);
                } catch (RuntimeException e) {
                    LOGGER.error("Background {} of {} failed: {}", task, log.topicPartition(), e.toString());
                }
            }
        }
    }

    /** Stops the periodic checks, interrupting one under way. */
    void stopSchedule() {
        scheduler.shutdownNow();
    }

    /** Lets the io and background pools finish their queued work, waiting up to 30 s for each. */
    void shutdownAndAwait() {
        io.shutdown();
        background.shutdown();
        try {
            io.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            background.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
