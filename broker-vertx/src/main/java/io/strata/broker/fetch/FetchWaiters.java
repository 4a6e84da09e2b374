package io.strata.broker.fetch;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;

/**
 * Fetches waiting for data (long poll), by partition. Produce calls {@link #appended} after an
 * append is acknowledged; each waiter on that partition is told how many bytes arrived and decides
 * itself whether it has enough. Thread-safe: registration and notification may come from any
 * event loop; waiters hop back onto their own context.
 */
public final class FetchWaiters {

    /** A parked fetch. Implementations must be thread-safe. */
    public interface Waiter {
        void onAppend(TopicPartition partition, int bytes);
    }

    private final Map<TopicPartition, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger waiters = new AtomicInteger();

    /** Parks {@code waiter}; each call must be followed by exactly one {@link #unregister}. */
    public void register(Waiter waiter, Collection<TopicPartition> partitions) {
        waiters.incrementAndGet();
        for (TopicPartition partition : partitions) {
            waiting.computeIfAbsent(partition, p -> ConcurrentHashMap.newKeySet()).add(waiter);
        }
    }

    public void unregister(Waiter waiter, Collection<TopicPartition> partitions) {
        waiters.decrementAndGet();
        for (TopicPartition partition : partitions) {
            waiting.computeIfPresent(partition, (p, set) -> {
                set.remove(waiter);
                return set.isEmpty() ? null : set;
            });
        }
    }

    public void appended(TopicPartition partition, int bytes) {
        Set<Waiter> waiters = waiting.get(partition);
        if (waiters != null) {
            for (Waiter waiter : waiters) {
                waiter.onAppend(partition, bytes);
            }
        }
    }

    /** Number of parked fetches (the Fetch purgatory's size). */
    public int waitingFetches() {
        return waiters.get();
    }

    /** Number of partitions with at least one waiter (for tests and metrics). */
    public int waitingPartitions() {
        return waiting.size();
    }
}
