package io.strata.faults.check;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.errors.RetriableException;

/**
 * What producers and consumers reported during a run: every acknowledged record (from the send callback),
 * every record a consumer saw, every failed send by exception class, and notable events (a consumer whose
 * position was past the log end, for example). Thread-safe; the lists come back in report order.
 */
public final class History {

    private final Queue<Observation> acknowledged = new ConcurrentLinkedQueue<>();
    private final Queue<Observation> seen = new ConcurrentLinkedQueue<>();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final LongAdder failedNotRetriable = new LongAdder();
    private final Queue<String> events = new ConcurrentLinkedQueue<>();
    private final LongAdder acknowledgedCount = new LongAdder();
    private final Map<Integer, AckGaps> gaps = new ConcurrentHashMap<>();

    /** The acknowledgements of one partition in time: the last one and the longest wait between two. */
    private static final class AckGaps {
        private long last = -1;
        private long longest;

        synchronized void ackedAt(long nanos) {
            if (last >= 0) {
                longest = Math.max(longest, nanos - last);
            }
            last = Math.max(last, nanos);
        }

        synchronized long longestMillis() {
            return longest / 1_000_000;
        }

        synchronized long last() {
            return last;
        }
    }

    /** A producer's send callback reported success. */
    public void acknowledged(String value, int partition, long offset) {
        acknowledged.add(new Observation(value, partition, offset));
        acknowledgedCount.increment();
        gaps.computeIfAbsent(partition, p -> new AckGaps()).ackedAt(System.nanoTime());
    }

    /**
     * For each partition, the longest time between two successive acknowledgements of it (any producer), in
     * milliseconds: under a steady load, how long producing to that partition stalled at worst (a leadership
     * move, a restart).
     */
    public Map<Integer, Long> longestAckGapsMillis() {
        Map<Integer, Long> longest = new TreeMap<>();
        gaps.forEach((partition, g) -> longest.put(partition, g.longestMillis()));
        return longest;
    }

    /**
     * When {@code partition}'s latest acknowledgement came ({@link System#nanoTime()}), -1 before its first: a
     * value later than a fault's start says producing to it resumed.
     */
    public long lastAcknowledgedNanos(int partition) {
        AckGaps g = gaps.get(partition);
        return g == null ? -1 : g.last();
    }

    /** A consumer read {@code value} at this position during the run. */
    public void seen(String value, int partition, long offset) {
        seen.add(new Observation(value, partition, offset));
    }

    /** A send failed (callback or synchronous exception); only counted, by exception class. */
    public void failed(Throwable error) {
        failures.computeIfAbsent(error.getClass().getSimpleName(), k -> new LongAdder()).increment();
        if (!(error instanceof RetriableException)) {
            failedNotRetriable.increment();
        }
    }

    /** Something worth printing beside the verdict. */
    public void event(String description) {
        events.add(description);
    }

    public List<Observation> acknowledged() {
        return List.copyOf(acknowledged);
    }

    public long acknowledgedCount() {
        return acknowledgedCount.sum();
    }

    public List<Observation> seen() {
        return List.copyOf(seen);
    }

    /** Failed sends by exception class, sorted by name. */
    public Map<String, Long> failures() {
        Map<String, Long> copy = new TreeMap<>();
        failures.forEach((name, count) -> copy.put(name, count.sum()));
        return copy;
    }

    public long failedCount() {
        return failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * Failed sends whose error is not a Kafka {@link RetriableException} (an {@code OutOfOrderSequenceException}
     * after a failover that lost producer state, for example); a timeout while no broker could take a partition
     * is retriable.
     */
    public long failedNotRetriable() {
        return failedNotRetriable.sum();
    }

    public List<String> events() {
        return List.copyOf(events);
    }
}
