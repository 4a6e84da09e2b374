package io.strata.broker.group;

import io.strata.index.GroupOffset;
import io.strata.metadata.StoredGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator of this broker: the registry of the classic groups it coordinates, group listing,
 * description and deletion, and the entry point for membership ({@link GroupMembership}) and committed offsets
 * ({@link GroupOffsets}). Every method must run on the coordinator's single thread, the thread of its
 * {@link GroupScheduler} ({@link GroupCoordinatorContext} takes care of that in the broker). Not thread-safe.
 *
 * <p>Which groups are this broker's is {@link GroupOwnership}'s answer; a request naming a group first passes
 * {@link #admit}. Groups whose coordinator slot moved away (or away and back) are dropped from memory, at the
 * next request for them or within {@link #OWNERSHIP_CHECK_INTERVAL_MS}, whichever comes first: their members
 * waiting in a join or a sync are told NOT_COORDINATOR and look the coordinator up again. Committed offsets are never
 * held here, only in {@link OffsetStorage}, so a move loses none. Each completed generation is stored too
 * ({@link GroupStateStorage}, through {@link GroupGenerations}), fenced by the slot epoch like offsets (CLUSTER.md
 * rule 10): the leader's SyncGroup is answered once its generation is stored, and an emptied group's generation is
 * removed. A group this broker starts coordinating is registered lazily, when it is first asked about: it continues
 * its stored generation (Stable, with its members, their sessions starting then), so members go on at their
 * generation and member id without a rebalance, as after a coordinator move in Kafka; a group with no stored
 * generation but committed offsets is registered empty.
 */
public final class GroupCoordinator {

    private static final Logger LOGGER = LoggerFactory.getLogger(GroupCoordinator.class);
    /** What ListGroups v5 reports as the type of every group here. */
    static final String CLASSIC_TYPE = "classic";
    /** How often groups whose coordinator slot moved are looked for, between requests. */
    static final long OWNERSHIP_CHECK_INTERVAL_MS = 1_000;

    private final Map<String, ClassicGroup> groups = new HashMap<>();
    /**
     * The groups being looked up in the offset and generation storages by {@link #admit}, each with the admissions
     * waiting for that lookup in arrival order (the first is the one that started it): they are let through in that
     * order, so the requests of a group run in the order they came, whatever order the storages answer in.
     */
    private final Map<String, List<CompletableFuture<Errors>>> lookups = new HashMap<>();
    private final GroupScheduler scheduler;
    private final GroupConfig config;
    private final OffsetStorage storage;
    private final GroupOwnership ownership;
    private final GroupMembership membership;
    private final GroupOffsets offsets;
    private final GroupGenerations generations;

    /**
     * @param storage where offsets are kept; the coordinator hands it each group's writes one at a time, in order
     * @param states where completed generations are kept ({@link GroupStateStorage#inMemoryOnly} for nowhere),
     *     written in the same per-group order as offsets
     * @param partitionExists whether a topic partition exists, for OffsetCommit's UNKNOWN_TOPIC_OR_PARTITION
     *     (called on the coordinator thread; must not block)
     * @param ownership which groups this broker coordinates, at which slot epoch (called on the coordinator
     *     thread; must not block)
     */
    public GroupCoordinator(GroupScheduler scheduler, GroupConfig config, OffsetStorage storage,
                            GroupStateStorage states, Predicate<TopicPartition> partitionExists,
                            GroupOwnership ownership) {
        this.scheduler = scheduler;
        this.config = config;
        PerGroupWrites writes = new PerGroupWrites();
        this.storage = new PerGroupOrderedOffsetStorage(storage, writes);
        this.ownership = ownership;
        this.generations = new GroupGenerations(states, writes, scheduler);
        this.membership = new GroupMembership(groups, scheduler, config, this::newGroup, generations);
        this.offsets = new GroupOffsets(groups, scheduler, config, this.storage, partitionExists, this::newGroup);
    }

    /** A coordinator whose groups' membership is kept in memory only ({@link GroupStateStorage#inMemoryOnly}). */
    public GroupCoordinator(GroupScheduler scheduler, GroupConfig config, OffsetStorage storage,
                            Predicate<TopicPartition> partitionExists, GroupOwnership ownership) {
        this(scheduler, config, storage, GroupStateStorage.inMemoryOnly(), partitionExists, ownership);
    }

    /** A new, empty group held at the current epoch of its coordinator slot (not registered yet). */
    private ClassicGroup newGroup(String groupId) {
        return new ClassicGroup(groupId, scheduler.nowMs(), ownership.coordinatorEpoch(groupId).orElse(-1));
    }

    /**
     * Registers the groups that have committed offsets and that this broker coordinates as empty groups (so they
     * are listed and described after a restart), and starts the periodic offset expiry and the periodic drop of
     * groups whose coordinator slot moved. Call once, on the coordinator thread.
     */
    public void start(List<String> groupsWithOffsets) {
        int registered = 0;
        for (String groupId : groupsWithOffsets) {
            if (ownership.coordinatorEpoch(groupId).isPresent()
                    && groups.putIfAbsent(groupId, newGroup(groupId)) == null) {
                registered++;
            }
        }
        LOGGER.info("Group coordinator started with {} group(s) holding committed offsets", registered);
        scheduleExpiry();
        scheduleOwnershipCheck();
    }

    private void scheduleOwnershipCheck() {
        scheduler.schedule(OWNERSHIP_CHECK_INTERVAL_MS, () -> {
            dropMovedGroups();
            scheduleOwnershipCheck();
        });
    }

    /**
     * Lets a request for {@code groupId} through: NONE when this broker coordinates the group now, NOT_COORDINATOR
     * when it does not (the client looks the coordinator up again). A group held in memory from an earlier epoch
     * of its slot is dropped first. A group not in memory is looked up in the storages: it continues its stored
     * generation if there is one, else it is registered as an empty group when it has committed offsets (a group
     * this broker just started to coordinate, or whose offsets another broker committed); COORDINATOR_NOT_AVAILABLE
     * when a storage cannot answer. Admissions of one group complete in the order they were asked for. Completes on
     * the coordinator thread.
     */
    public CompletableFuture<Errors> admit(String groupId) {
        if (groupId == null || groupId.isEmpty()) {
            // Not a valid group: the operation answers it (INVALID_GROUP_ID where Kafka does), as Kafka checks the
            // group id before the coordinator
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        OptionalInt epoch = ownership.coordinatorEpoch(groupId);
        ClassicGroup group = groups.get(groupId);
        if (group != null && !heldAt(group, epoch)) {
            drop(group, epoch);
            group = null;
        }
        if (epoch.isEmpty()) {
            return CompletableFuture.completedFuture(Errors.NOT_COORDINATOR);
        }
        if (group != null) {
            return CompletableFuture.completedFuture(Errors.NONE);
        }
        CompletableFuture<Errors> admitted = new CompletableFuture<>();
        List<CompletableFuture<Errors>> waiting = lookups.get(groupId);
        if (waiting != null) {
            waiting.add(admitted);
            return admitted;
        }
        List<CompletableFuture<Errors>> admissions = new ArrayList<>(List.of(admitted));
        lookups.put(groupId, admissions);
        storage.fetch(groupId).thenCombine(generations.load(groupId), GroupLookup::new)
                .whenComplete((found, failure) -> scheduler.execute(() -> {
            lookups.remove(groupId);
            Errors result = registerLookedUp(groupId, epoch, found, failure);
            // Each completion runs that request's operation at once, on this thread: in arrival order
            admissions.forEach(admission -> admission.complete(result));
        }));
        return admitted;
    }

    /** What {@link #admit} found stored of a group not in memory: its committed offsets and its generation. */
    private record GroupLookup(List<GroupOffset> committed, Optional<StoredGroup> generation) {
    }

    /**
     * After {@link #admit} read what is stored of a group not in memory: a stored generation is continued (the group
     * is Stable at that generation with its members, their sessions starting now: CLUSTER.md rule 10); a group with
     * only committed offsets is registered empty; a group with neither is not registered.
     */
    private Errors registerLookedUp(String groupId, OptionalInt epoch, GroupLookup found, Throwable failure) {
        if (failure != null) {
            LOGGER.warn("Could not read the offsets and generation of group {}: {}", groupId, failure.toString());
            return OffsetStorage.errorOf(failure);
        }
        if (!ownership.coordinatorEpoch(groupId).equals(epoch)) {
            return Errors.NOT_COORDINATOR;
        }
        if (groups.containsKey(groupId)) {
            return Errors.NONE;
        }
        if (found.generation().isPresent()) {
            ClassicGroup group = ClassicGroup.restored(found.generation().get(), scheduler.nowMs(), epoch.getAsInt());
            groups.put(groupId, group);
            membership.resume(group);
            LOGGER.info("Group {} is coordinated here now (slot epoch {}): continues generation {} with {} member(s)",
                    groupId, epoch.getAsInt(), group.generationId, group.size());
        } else if (!found.committed().isEmpty()) {
            groups.put(groupId, newGroup(groupId));
            LOGGER.info("Group {} with committed offsets is coordinated here now (slot epoch {})", groupId,
                    epoch.getAsInt());
        }
        return Errors.NONE;
    }

    private static boolean heldAt(ClassicGroup group, OptionalInt epoch) {
        return epoch.isPresent() && epoch.getAsInt() == group.coordinatorEpoch;
    }

    /** Drops every group whose coordinator slot moved since this broker created it. */
    void dropMovedGroups() {
        for (ClassicGroup group : List.copyOf(groups.values())) {
            OptionalInt epoch = ownership.coordinatorEpoch(group.groupId);
            if (!heldAt(group, epoch)) {
                drop(group, epoch);
            }
        }
    }

    private void drop(ClassicGroup group, OptionalInt epoch) {
        LOGGER.info("Group {} is no longer coordinated here at slot epoch {} ({}): dropped from memory "
                        + "with its {} member(s) (the slot's coordinator continues its stored generation)",
                group.groupId, group.coordinatorEpoch,
                epoch.isPresent() ? "now at epoch " + epoch.getAsInt() : "its slot moved", group.size());
        membership.abandon(group, Errors.NOT_COORDINATOR);
        groups.remove(group.groupId, group);
    }

    private void scheduleExpiry() {
        scheduler.schedule(config.offsetsRetentionCheckIntervalMs(), () -> {
            expireOffsets();
            scheduleExpiry();
        });
    }

    public CompletableFuture<JoinGroupResponseData> joinGroup(JoinGroupRequestData request, short version,
                                                              String clientId, String clientHost) {
        return membership.joinGroup(request, version, clientId, clientHost);
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData request, short version) {
        return membership.syncGroup(request, version);
    }

    public Errors heartbeat(HeartbeatRequestData request) {
        return membership.heartbeat(request);
    }

    public List<MemberResponse> leaveGroup(String groupId, List<MemberIdentity> members) {
        return membership.leaveGroup(groupId, members);
    }

    public CompletableFuture<OffsetCommitResponseData> commitOffsets(OffsetCommitRequestData request, short version) {
        return offsets.commit(request, version);
    }

    public CompletableFuture<List<GroupOffset>> fetchOffsets(String groupId) {
        return offsets.fetch(groupId);
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData request) {
        return offsets.delete(request);
    }

    /** Runs the offset expiry now (the periodic task calls this too). */
    public void expireOffsets() {
        dropMovedGroups();
        offsets.expire();
    }

    /**
     * The live groups, optionally filtered by state names and types (case-insensitive, as Kafka compares them;
     * an empty filter matches everything).
     */
    public List<ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        dropMovedGroups();
        Set<String> states = lower(statesFilter);
        Set<String> types = lower(typesFilter);
        List<ListedGroup> listed = new ArrayList<>();
        for (ClassicGroup group : groups.values()) {
            if (group.is(GroupState.DEAD)
                    || (!states.isEmpty() && !states.contains(group.state().kafkaName().toLowerCase(Locale.ROOT)))
                    || (!types.isEmpty() && !types.contains(CLASSIC_TYPE))) {
                continue;
            }
            listed.add(new ListedGroup().setGroupId(group.groupId).setProtocolType(group.protocolType.orElse(""))
                    .setGroupState(group.state().kafkaName()).setGroupType(CLASSIC_TYPE));
        }
        return listed;
    }

    private static Set<String> lower(List<String> values) {
        return values == null ? Set.of()
                : values.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    /**
     * One group as DescribeGroups reports it; an unknown group is "Dead", with GROUP_ID_NOT_FOUND from v6. Member
     * metadata and assignments are only reported for a Stable group, as in Kafka.
     */
    public DescribedGroup describeGroup(String groupId, short version) {
        ClassicGroup group = groups.get(groupId);
        DescribedGroup described = new DescribedGroup().setGroupId(groupId);
        if (group == null || group.is(GroupState.DEAD)) {
            described.setGroupState(GroupState.DEAD.kafkaName()).setProtocolType("").setProtocolData("");
            if (version >= 6) {
                described.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                        .setErrorMessage("Group " + groupId + " not found.");
            }
            return described;
        }
        boolean stable = group.is(GroupState.STABLE);
        described.setGroupState(group.state().kafkaName())
                .setProtocolType(group.protocolType.orElse(""))
                .setProtocolData(stable ? group.protocolName.orElse("") : "");
        for (GroupMember member : group.members()) {
            described.members().add(new DescribedGroupMember()
                    .setMemberId(member.memberId)
                    .setGroupInstanceId(member.groupInstanceId.orElse(null))
                    .setClientId(member.clientId)
                    .setClientHost(member.clientHost)
                    .setMemberMetadata(stable ? member.metadata(group.protocolName.orElse(null)) : new byte[0])
                    .setMemberAssignment(stable ? member.assignment : new byte[0]));
        }
        return described;
    }

    /** Deletes empty groups and their offsets: NON_EMPTY_GROUP for a group with members, GROUP_ID_NOT_FOUND if unknown. */
    public CompletableFuture<List<DeletableGroupResult>> deleteGroups(List<String> groupIds) {
        List<DeletableGroupResult> results = new ArrayList<>();
        List<CompletableFuture<Void>> deletions = new ArrayList<>();
        for (String groupId : groupIds) {
            DeletableGroupResult result = new DeletableGroupResult().setGroupId(groupId);
            results.add(result);
            ClassicGroup group = groups.get(groupId);
            if (group == null || group.is(GroupState.DEAD)) {
                result.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
            } else if (!group.is(GroupState.EMPTY)) {
                result.setErrorCode(Errors.NON_EMPTY_GROUP.code());
            } else {
                membership.cancelTimers(group);
                group.transitionTo(GroupState.DEAD, scheduler.nowMs());
                groups.remove(groupId);
                LOGGER.info("Deleted group {}", groupId);
                // An empty group's generation was removed when it emptied: this removes one a failed write left
                generations.remove(group);
                deletions.add(storage.deleteGroup(group.coordinatorEpoch, groupId).exceptionally(failure -> {
                    Errors error = OffsetStorage.errorOf(failure);
                    LOGGER.warn("Could not delete the offsets of group {} ({}): {}", groupId, error.name(),
                            failure.toString());
                    result.setErrorCode(error.code());
                    return null;
                }));
            }
        }
        return CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new)).thenApply(ignored -> results);
    }
}
