package io.strata.metadata;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one place a broker asks "who leads this partition, at which epoch": the last leadership read from the
 * {@link MetadataStore}, replaced as a whole by {@link #refresh()} (the broker polls {@link #refreshIfChanged()},
 * which costs one read of the store's {@link MetadataStore#changeVersion() change version} while nothing changed,
 * and refreshes at once when a request names a newer epoch than it knows). Reads are lock-free: a request sees one
 * consistent snapshot. What the view says only routes requests; every durable write is still fenced in the store
 * by the leader epoch (CLUSTER.md invariant 1), so a stale view can cause a retriable error, never a wrong write.
 */
public final class LeadershipView {

    private final MetadataStore store;
    private volatile Map<TopicPartitionId, PartitionLeadership> snapshot = Map.of();
    private volatile long version = Long.MIN_VALUE;

    public LeadershipView(MetadataStore store) {
        this.store = store;
    }

    /**
     * Reads the leadership of every partition again.
     *
     * @throws MetadataException when the database does not answer (the previous snapshot stays)
     */
    public void refresh() {
        long seen = store.changeVersion(); // read first: a change after it is seen by the next poll
        List<PartitionLeadership> leadership = store.leadership();
        snapshot = leadership.stream().collect(Collectors.toUnmodifiableMap(PartitionLeadership::partition,
                Function.identity()));
        version = seen;
    }

    /**
     * Reads the leadership again only when the store's change version moved since the last read (one cheap read
     * otherwise).
     *
     * @return whether it read again
     * @throws MetadataException when the database does not answer (the previous snapshot stays)
     */
    public boolean refreshIfChanged() {
        if (store.changeVersion() == version) {
            return false;
        }
        refresh();
        return true;
    }

    /** The partition's leadership as last read; empty for a partition the view does not know (yet). */
    public Optional<PartitionLeadership> leadership(TopicPartitionId partition) {
        return Optional.ofNullable(snapshot.get(partition));
    }

    /** Whether {@code nodeId} leads the partition at {@code leaderEpoch}, as last read. */
    public boolean leads(TopicPartitionId partition, int nodeId, int leaderEpoch) {
        PartitionLeadership leadership = snapshot.get(partition);
        return leadership != null && leadership.leader() == nodeId && leadership.leaderEpoch() == leaderEpoch;
    }

    /** Every partition {@code nodeId} leads, as last read. */
    public List<PartitionLeadership> ledBy(int nodeId) {
        return snapshot.values().stream().filter(leadership -> leadership.leader() == nodeId)
                .sorted(java.util.Comparator.comparing(PartitionLeadership::partition)).toList();
    }
}
