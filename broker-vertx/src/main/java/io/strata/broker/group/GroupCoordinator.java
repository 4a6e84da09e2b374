package io.strata.broker.group;

import io.strata.index.GroupOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * The group coordinator of this broker (the coordinator of every group): the registry of classic groups, group
 * listing, description and deletion, and the entry point for membership ({@link GroupMembership}) and committed
 * offsets ({@link GroupOffsets}). Every method must run on the coordinator's single thread, the thread of its
 * {@link GroupScheduler} ({@link GroupCoordinatorContext} takes care of that in the broker). Not thread-safe.
 */
public final class GroupCoordinator {

    private static final Logger LOGGER = LoggerFactory.getLogger(GroupCoordinator.class);
    /** What ListGroups v5 reports as the type of every group here. */
    static final String CLASSIC_TYPE = "classic";

    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private final GroupScheduler scheduler;
    private final GroupConfig config;
    private final OffsetStorage storage;
    private final GroupMembership membership;
    private final GroupOffsets offsets;

    /**
     * @param storage where offsets are kept; the coordinator hands it each group's writes one at a time, in order
     * @param partitionExists whether a topic partition exists, for OffsetCommit's UNKNOWN_TOPIC_OR_PARTITION
     *     (called on the coordinator thread; must not block)
     */
    public GroupCoordinator(GroupScheduler scheduler, GroupConfig config, OffsetStorage storage,
                            Predicate<TopicPartition> partitionExists) {
        this.scheduler = scheduler;
        this.config = config;
        this.storage = new PerGroupOrderedOffsetStorage(storage);
        this.membership = new GroupMembership(groups, scheduler, config);
        this.offsets = new GroupOffsets(groups, scheduler, config, this.storage, partitionExists);
    }

    /**
     * Registers the groups that have committed offsets as empty groups (so they are listed and described after a
     * restart) and starts the periodic offset expiry. Call once, on the coordinator thread.
     */
    public void start(List<String> groupsWithOffsets) {
        for (String groupId : groupsWithOffsets) {
            groups.putIfAbsent(groupId, new ClassicGroup(groupId, scheduler.nowMs()));
        }
        LOGGER.info("Group coordinator started with {} group(s) holding committed offsets", groupsWithOffsets.size());
        scheduleExpiry();
    }

    private void scheduleExpiry() {
        scheduler.schedule(config.offsetsRetentionCheckIntervalMs(), () -> {
            offsets.expire();
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
        offsets.expire();
    }

    /**
     * The live groups, optionally filtered by state names and types (case-insensitive, as Kafka compares them;
     * an empty filter matches everything).
     */
    public List<ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
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
                deletions.add(storage.deleteGroup(groupId).exceptionally(failure -> {
                    LOGGER.warn("Could not delete the offsets of group {}: {}", groupId, failure.toString());
                    result.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
                    return null;
                }));
            }
        }
        return CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new)).thenApply(ignored -> results);
    }
}
