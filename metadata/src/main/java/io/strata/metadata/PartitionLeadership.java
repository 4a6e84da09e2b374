package io.strata.metadata;

/**
 * Who leads a partition, at which leader epoch, and the two facts a planned or unplanned move needs.
 * <ul>
 *   <li>{@code leader}: {@link #NO_LEADER} until the controller assigns one (epoch 0 then), and again while the
 *       partition is offline or released; every change of leader bumps the epoch by one.</li>
 *   <li>{@code targetLeader}: a hand-over the controller requested of the live leader
 *       ({@link MetadataStore#requestMove}), {@link #NO_LEADER} when none; the leader acts on it by
 *       {@link MetadataStore#handOver}. Recording it does not bump the epoch.</li>
 *   <li>{@code lastLeader}: the broker whose disk may hold acknowledged records that are not in the bucket. It is
 *       set to the leader whenever a broker gets leadership, kept when the controller takes the partition
 *       offline (its leader died), and cleared to {@link #NO_LEADER} by a hand-over that releases the partition
 *       (the leader uploaded everything first). While it names a broker, a leaderless partition may be given only
 *       to that broker (Kafka's replication factor 1 with unclean leader election off).</li>
 * </ul>
 */
public record PartitionLeadership(TopicPartitionId partition, int leader, int leaderEpoch, int targetLeader,
                                  int lastLeader) {
    /** Kafka's leader id for "none". */
    public static final int NO_LEADER = -1;

    /** A leadership without a requested move, whose last leader is its leader. */
    public PartitionLeadership(TopicPartitionId partition, int leader, int leaderEpoch) {
        this(partition, leader, leaderEpoch, NO_LEADER, leader);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    /** Whether the controller asked the leader to hand the partition over ({@link #targetLeader}). */
    public boolean moving() {
        return targetLeader != NO_LEADER;
    }
}
