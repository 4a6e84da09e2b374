package io.strata.metadata;

/**
 * Who leads a partition, at which leader epoch. {@code leader} is {@link #NO_LEADER} until the controller
 * assigns one (epoch 0 then); every assignment bumps the epoch by one.
 */
public record PartitionLeadership(TopicPartitionId partition, int leader, int leaderEpoch) {
    /** Kafka's leader id for "none". */
    public static final int NO_LEADER = -1;

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }
}
