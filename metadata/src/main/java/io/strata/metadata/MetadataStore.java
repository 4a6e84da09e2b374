package io.strata.metadata;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The metadata every broker of a cluster agrees on, behind one port (CLUSTER.md): broker registrations and
 * their leases, the controller lease, topics with their partitions' leaders, leader epochs and epoch history,
 * and producer-id blocks. {@code PostgresMetadataStore} serves a cluster; single-broker mode is a cluster of
 * one over an embedded adapter.
 *
 * <p>Every write that decides something is a compare-and-set whose outcome the caller learns (a boolean or an
 * empty result means "someone else decided first", never an error), so a lost reply can be re-read and a
 * fenced writer finds out. Writes of the controller are conditional on its controller epoch. A
 * {@link MetadataException} means the database did not answer: nothing was decided, try again.
 */
public interface MetadataStore extends AutoCloseable {

    // ---- brokers -------------------------------------------------------------------------------------------

    /**
     * Registers a broker, or re-registers the same incarnation. Another incarnation's registration of this node
     * id is replaced only when it has not renewed for {@code sessionTimeout}, judged by the database's clock;
     * otherwise {@link NodeIdInUseException} names the live holder.
     */
    void register(BrokerRegistration registration, Duration sessionTimeout);

    /**
     * Renews this incarnation's registration (its heartbeat count moves by one). False when the node id is no
     * longer this incarnation's: the broker was replaced and must stop serving.
     */
    boolean heartbeat(int nodeId, UUID incarnation);

    /** Removes this incarnation's registration (a clean shutdown); nothing when another holds the node id. */
    void unregister(int nodeId, UUID incarnation);

    /** Every registered broker, live or not, by node id. */
    List<BrokerState> brokers();

    // ---- controller lease ----------------------------------------------------------------------------------

    /** The controller lease as stored, or empty when no broker ever held it. */
    Optional<ControllerState> controller();

    /**
     * Takes the controller lease for this broker with the next controller epoch, if the lease is still what the
     * caller saw ({@code seen}; empty when it saw none): the caller watched its renewals stand still for a
     * session timeout. Returns the new controller epoch, or empty when the lease moved meanwhile.
     */
    OptionalLong claimController(int nodeId, UUID incarnation, Optional<ControllerState> seen);

    /** Renews the lease held at {@code epoch}; false when another broker holds it now (this one is fenced). */
    boolean renewController(int nodeId, UUID incarnation, long epoch);

    // ---- topics and leadership -----------------------------------------------------------------------------

    /**
     * Creates a topic with its partitions, leaderless at epoch 0. False when a live topic has that name or that
     * id already.
     */
    boolean createTopic(TopicDefinition topic);

    /** Every topic, by name. */
    List<TopicDefinition> topics();

    /** The leadership of every partition of every topic, in (topic id, partition) order. */
    List<PartitionLeadership> leadership();

    /**
     * Makes {@code newLeader} the leader of {@code partition} at the next leader epoch, and records that the new
     * epoch starts at the partition's committed end, if the partition is still at {@code expectedEpoch} and the
     * controller lease is still at {@code controllerEpoch}: one transaction. Returns the new leadership, or empty
     * when either moved (the caller re-reads and decides again).
     */
    Optional<PartitionLeadership> electLeader(long controllerEpoch, TopicPartitionId partition, int expectedEpoch,
                                              int newLeader);

    /** The partition's committed end: every offset below it is durable without its leader's disk. */
    long committedEnd(TopicPartitionId partition);

    /**
     * Moves the committed end forward to {@code newEnd}, if {@code leader} still leads the partition at
     * {@code leaderEpoch} (the fence of every durable write, CLUSTER.md invariant 1) and the end is not past it.
     * False when fenced.
     */
    boolean advanceCommittedEnd(TopicPartitionId partition, int leader, int leaderEpoch, long newEnd);

    /** The partition's leader-epoch history, oldest first. */
    List<EpochStart> epochHistory(TopicPartitionId partition);

    // ---- committed offsets of consumer groups --------------------------------------------------------------

    /**
     * Stores {@code offsets} (all of one group), replacing what the group had committed for those partitions, if
     * {@code coordinator} leads the group's coordinator slot (a partition of {@code __consumer_offsets}) at
     * {@code slotEpoch}: one transaction. False when fenced (the slot moved); nothing is stored then.
     */
    boolean commitOffsets(TopicPartitionId slot, int coordinator, int slotEpoch, List<CommittedOffset> offsets);

    /** Everything {@code group} has committed, in (topic id, partition) order. */
    List<CommittedOffset> committedOffsets(String group);

    /**
     * Deletes {@code group}'s committed offsets of {@code partitions} (all of them when empty), fenced as
     * {@link #commitOffsets} is. False when fenced.
     */
    boolean deleteOffsets(TopicPartitionId slot, int coordinator, int slotEpoch, String group,
                          List<TopicPartitionId> partitions);

    // ---- producer ids --------------------------------------------------------------------------------------

    /** Reserves the next {@code size} producer ids, never handed out before by any broker; the first of them. */
    long allocateProducerIds(int size);

    @Override
    void close();
}
