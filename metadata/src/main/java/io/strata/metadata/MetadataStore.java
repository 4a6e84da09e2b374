package io.strata.metadata;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The metadata every broker of a cluster agrees on, behind one port (CLUSTER.md): broker registrations and
 * their leases, the controller lease, topics with their partitions' leaders, leader epochs and epoch history,
 * the write-ahead log's commits, consumer groups' committed offsets and their generations with their members, and
 * producer-id blocks. {@code PostgresMetadataStore} serves a cluster; single-broker mode is a cluster of
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
     *
     * <p>When a new incarnation registers (the node id was free or held by an expired one), every partition led by
     * that node id gets the next leader epoch (same leader, an epoch-history row, a requested move cleared), in the
     * same transaction: nothing the previous incarnation still tries passes the fence. Moves
     * {@link #changeVersion()} (not when the same incarnation registers again).
     */
    void register(BrokerRegistration registration, Duration sessionTimeout);

    /**
     * Renews this incarnation's registration (its heartbeat count moves by one). False when the node id is no
     * longer this incarnation's: the broker was replaced and must stop serving.
     */
    boolean heartbeat(int nodeId, UUID incarnation);

    /**
     * Removes this incarnation's registration (a clean shutdown), moving {@link #changeVersion()}; nothing when
     * another holds the node id.
     */
    void unregister(int nodeId, UUID incarnation);

    /**
     * Marks this incarnation's registration draining (Kafka's controlled shutdown has begun): the broker is still
     * live and hands the partitions it leads over itself, and the controller must not give it any meanwhile (it is
     * no target of election, placement or reassignment, and a move already requested to it goes elsewhere). The
     * mark lasts as long as this incarnation's registration: {@link #unregister} removes it with the registration,
     * and a new incarnation of the node id ({@link #register}) starts not draining. Moves {@link #changeVersion()}
     * when the mark is new (marking again is a no-op that returns true, so a lost reply can be retried).
     *
     * @return false when the node id is not this incarnation's (not registered, or replaced): nothing is marked
     */
    boolean drain(int nodeId, UUID incarnation);

    /** Every registered broker, live or not, by node id, each with whether it is {@link #drain draining}. */
    List<BrokerState> brokers();

    // ---- controller lease ----------------------------------------------------------------------------------

    /** The controller lease as stored, or empty when no broker ever held it. */
    Optional<ControllerState> controller();

    /**
     * Takes the controller lease for this broker with the next controller epoch, if the lease is still what the
     * caller saw ({@code seen}; empty when it saw none): the caller watched its renewals stand still for a
     * session timeout. Returns the new controller epoch, or empty when the lease moved meanwhile. A successful
     * claim moves {@link #changeVersion()} (brokers learn the new controller); a renewal does not.
     */
    OptionalLong claimController(int nodeId, UUID incarnation, Optional<ControllerState> seen);

    /** Renews the lease held at {@code epoch}; false when another broker holds it now (this one is fenced). */
    boolean renewController(int nodeId, UUID incarnation, long epoch);

    // ---- topics and leadership -----------------------------------------------------------------------------

    /**
     * Creates a topic with its partitions, leaderless at epoch 0. False when a live topic has that name or that
     * id already. Moves {@link #changeVersion()}.
     */
    boolean createTopic(TopicDefinition topic);

    /**
     * Deletes the topic with its partitions, their epoch history and every group's committed offsets of them, in
     * one transaction; moves {@link #changeVersion()}. False when there is no such topic. A re-created topic gets
     * a new id, so nothing of the deleted one can reach it (rule 9).
     */
    boolean deleteTopic(UUID topicId);

    /**
     * Grows the topic to {@code newCount} partitions (the new ones leaderless at epoch 0); moves
     * {@link #changeVersion()}. False when there is no such topic or it has {@code newCount} or more already.
     */
    boolean addPartitions(UUID topicId, int newCount);

    /**
     * Replaces the configs set on the topic by {@code configs} (a config absent from it goes back to its
     * default); moves {@link #changeVersion()}. False when there is no such topic.
     */
    boolean alterTopicConfigs(UUID topicId, Map<String, String> configs);

    /** Every topic, by name. */
    List<TopicDefinition> topics();

    /** The leadership of every partition of every topic, in (topic id, partition) order. */
    List<PartitionLeadership> leadership();

    /**
     * A number that moves whenever topics (created, deleted, grown, configs altered), leadership (leader, epoch,
     * requested move), the set of registered brokers or the controller change, in the same transaction as the
     * change; never on heartbeats or commits. Brokers poll it (one cheap read) and re-read topics, leadership and
     * brokers only when it moved. It only ever grows.
     */
    long changeVersion();

    /**
     * Makes {@code newLeader} the leader of {@code partition} at the next leader epoch (its last leader too, and
     * no move requested), and records that the new epoch, led by {@code newLeader}, starts at the partition's
     * committed end, if the partition is still at {@code expectedEpoch} and the controller lease is still at
     * {@code controllerEpoch}: one transaction, moving {@link #changeVersion()}. Returns the new leadership, or
     * empty when either moved (the caller re-reads and decides again). The controller uses it for a leaderless
     * partition; a live leader is asked to hand over instead ({@link #requestMove}).
     */
    Optional<PartitionLeadership> electLeader(long controllerEpoch, TopicPartitionId partition, int expectedEpoch,
                                              int newLeader);

    /**
     * Asks the partition's live leader to hand it over to {@code target} (a planned move): records
     * {@code targetLeader} without bumping the epoch, if the controller lease is still at {@code controllerEpoch}
     * and the partition is still at {@code expectedEpoch} with a leader; moves {@link #changeVersion()}. A
     * {@code target} equal to the leader, or {@link PartitionLeadership#NO_LEADER}, withdraws a requested move.
     * False when the lease or the partition moved, or the partition has no leader.
     */
    boolean requestMove(long controllerEpoch, TopicPartitionId partition, int expectedEpoch, int target);

    /**
     * The leader gives the partition up, after it stopped accepting writes and sealed and uploaded its tail up to
     * {@code committedEnd}: in one transaction fenced by {@code leader} and {@code leaderEpoch}, the committed end
     * becomes the greater of the stored one and {@code committedEnd}, {@code target} leads at the next epoch (an
     * epoch-history row starting at that committed end), the requested move is cleared, and the last leader becomes
     * {@code target}. {@code target} may be {@link PartitionLeadership#NO_LEADER}: a clean release (nothing is
     * left on this broker's disk, so any broker may take it). Moves {@link #changeVersion()}. Returns the new
     * leadership, or empty when fenced (this broker does not lead at that epoch any more).
     */
    Optional<PartitionLeadership> handOver(TopicPartitionId partition, int leader, int leaderEpoch, long committedEnd,
                                           int target);

    /**
     * The controller's answer to a dead leader: the partition goes leaderless at the next epoch (an epoch-history
     * row led by no one, starting at the committed end), its requested move cleared and its last leader kept (the
     * dead broker's disk may hold acknowledged records not in the bucket). Conditional on the controller lease at
     * {@code controllerEpoch} and the partition at {@code expectedEpoch} with a leader; moves
     * {@link #changeVersion()}. Empty when either moved or the partition has no leader.
     */
    Optional<PartitionLeadership> takeOffline(long controllerEpoch, TopicPartitionId partition, int expectedEpoch);

    /** The partition's committed end: every offset below it is durable without its leader's disk. */
    long committedEnd(TopicPartitionId partition);

    /**
     * Makes the committed end at least {@code newEnd} (an upload confirmed; with the write-ahead log the committed
     * end is usually past it already), if {@code leader} still leads the partition at {@code leaderEpoch} (the fence
     * of every durable write, CLUSTER.md invariant 1). False when fenced.
     */
    boolean advanceCommittedEnd(TopicPartitionId partition, int leader, int leaderEpoch, long newEnd);

    /** The partition's leader-epoch history, oldest first. */
    List<EpochStart> epochHistory(TopicPartitionId partition);

    // ---- write-ahead log (CLUSTER.md invariants 2 to 5) ---------------------------------------------------------

    /**
     * Records a WAL object that is already in the bucket. In one transaction: the object's row (by key; a second
     * commit of the same key re-reads instead of failing, so a lost reply can be retried with the same commit),
     * and for each range, fenced by one {@code UPDATE ... WHERE leader = ? AND leader_epoch = ? AND committed_end =
     * baseOffset} with its row count checked: the range's row and the partition's committed end moved to the range's
     * end. Ranges are locked in (topic id, partition) order. An incarnation revoked by {@link #revokeWalWriter} gets
     * {@link WalCommitOutcome#FENCED} for every range. A range whose fence does not pass is decided by
     * {@link WalCommitOutcome#ofUnrecorded} unless an earlier attempt recorded it (then COMMITTED, whatever the
     * partition's epoch now): a range whose offsets the writer's epoch has committed already is COMMITTED (its row
     * released since), and an object that GC marked as deleting gets FENCED for any range not recorded yet. While a
     * range of an object is OUT_OF_ORDER after its last attempt, the object is not collectable (unless its writer is
     * revoked): the writer is expected to try it again. Moves no change counter (commits are the hot path).
     *
     * @return the outcome of each range's partition
     * @throws MetadataException when the database did not answer (nothing may be assumed: retry the same commit)
     */
    Map<TopicPartitionId, WalCommitOutcome> commitWal(WalObjectCommit commit);

    /** The committed WAL ranges of {@code partition} that end after {@code fromOffset}, in offset order. */
    List<WalRange> walRanges(TopicPartitionId partition, long fromOffset);

    /**
     * Forgets the partition's WAL ranges that end at or below {@code upTo} (an uploaded segment, listed in the
     * partition's manifest, holds their records), if {@code leader} leads it at {@code leaderEpoch} and
     * {@code upTo} is not past its committed end. An object none of whose ranges is left becomes collectable
     * ({@link #collectableWalObjects}). False when fenced.
     */
    boolean releaseWal(TopicPartitionId partition, int leader, int leaderEpoch, long upTo);

    /**
     * Up to {@code limit} committed WAL objects none of whose ranges is needed any more (released, or their
     * partition deleted) and none OUT_OF_ORDER at its last commit attempt (unless its writer is revoked), each
     * marked as being deleted so no range may refer to it again, in key order, objects marked by an earlier call
     * included (a crashed collection resumes); conditional on the controller lease at {@code controllerEpoch}
     * (empty otherwise). The caller deletes them from the bucket, then calls {@link #forgetWalObjects}.
     */
    List<String> collectableWalObjects(long controllerEpoch, int limit);

    /**
     * Removes the rows of WAL objects deleted from the bucket (after {@link #collectableWalObjects}); keys of objects
     * not marked as being deleted are left alone.
     */
    void forgetWalObjects(List<String> objectKeys);

    /**
     * Revokes a dead incarnation as a WAL writer, conditional on the controller lease at {@code controllerEpoch}:
     * every later {@link #commitWal} of it is fenced, so its objects that are not committed now never will be, and
     * may be deleted (CLUSTER.md rule 6). Returns false only when the controller lease moved.
     */
    boolean revokeWalWriter(long controllerEpoch, UUID incarnation);

    /** The keys of the committed WAL objects (being deleted or not) written by {@code incarnation}. */
    List<String> committedWalObjects(UUID incarnation);

    /**
     * Every committed WAL object with the ranges of it still needed and whether GC would collect it, the registered
     * incarnations and the revoked writers, read in one consistent snapshot. Writes nothing, takes no lock and moves no
     * counter: {@code strata inspect verify} reads it against the bucket.
     */
    WalCatalog walCatalog();

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

    // ---- rebuilding from the bucket (CLUSTER.md invariant 6) ---------------------------------------------------

    /**
     * Fills an empty store with what was found in the bucket, in one transaction: each topic with its id, partition
     * count and configs; each partition leaderless with no last leader (the controller gives it to any live broker),
     * at leader epoch {@link RestoredMetadata.RestoredPartition#leaderEpoch()} (above every epoch found in the
     * bucket, rule 5), its committed end as given, and one epoch-history row: that epoch starting at the committed
     * end, led by no one; the committed offsets, unfenced; and the producer-id counter raised to at least the floor
     * (never lowered). Moves {@link #changeVersion()}. False, with nothing written, when the store has a topic
     * already: a restore goes into an empty database only.
     */
    boolean restore(RestoredMetadata metadata);

    // ---- generations and members of consumer groups (CLUSTER.md rule 10) -------------------------------------

    /**
     * Stores {@code group}'s completed generation with its members, replacing whatever was stored for the group, if
     * {@code coordinator} leads the group's coordinator slot at {@code slotEpoch}: one transaction, fenced as
     * {@link #commitOffsets} is. False when fenced (the slot moved); nothing is stored then.
     */
    boolean storeGroup(TopicPartitionId slot, int coordinator, int slotEpoch, StoredGroup group);

    /** The generation stored for {@code groupId}, with its members in join order; empty when none is stored. */
    Optional<StoredGroup> storedGroup(String groupId);

    /** Every group stored under coordinator slot {@code slot}, in group id order. */
    List<StoredGroup> storedGroups(TopicPartitionId slot);

    /**
     * Forgets the stored generation of {@code groupId} (the group emptied or was deleted), fenced as
     * {@link #storeGroup} is. False when fenced; true when nothing was stored.
     */
    boolean deleteStoredGroup(TopicPartitionId slot, int coordinator, int slotEpoch, String groupId);

    // ---- producer ids --------------------------------------------------------------------------------------

    /** Reserves the next {@code size} producer ids, never handed out before by any broker; the first of them. */
    long allocateProducerIds(int size);

    @Override
    void close();
}
