package io.strata.broker.cluster;

/**
 * Who leads a partition and at which leader epoch, as this broker last learned it. {@code leader} is
 * {@link #NO_LEADER} while the partition has none (a new partition not yet assigned, or an offline one whose last
 * leader is down).
 */
public record PartitionRoute(int leader, int leaderEpoch) {
    /** Kafka's leader id for "none". */
    public static final int NO_LEADER = -1;

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }
}
