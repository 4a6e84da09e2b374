package io.strata.broker.group;

import static io.strata.broker.group.GroupErrorResponses.joinError;
import static io.strata.broker.group.GroupErrorResponses.syncError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group protocol's membership logic, as in Apache Kafka's GroupCoordinator: JoinGroup (member ids
 * handed out with MEMBER_ID_REQUIRED from v4, the initial rebalance delay of an empty group, rebalance timeouts),
 * SyncGroup (the leader's assignment handed to every member), Heartbeat (session timeouts) and LeaveGroup, plus
 * static membership by {@code group.instance.id}. Every method runs on the coordinator's thread. Not thread-safe.
 */
final class GroupMembership {

    private static final Logger LOGGER = LoggerFactory.getLogger(GroupMembership.class);

    private final Map<String, ClassicGroup> groups;
    private final GroupScheduler scheduler;
    private final GroupConfig config;
    private final Function<String, ClassicGroup> newGroup;
    private final GroupGenerations generations;

    /**
     * @param newGroup creates a new, empty group of the given id (not yet registered in {@code groups})
     * @param generations where completed generations are stored, and removed when a group empties
     */
    GroupMembership(Map<String, ClassicGroup> groups, GroupScheduler scheduler, GroupConfig config,
                    Function<String, ClassicGroup> newGroup, GroupGenerations generations) {
        this.groups = groups;
        this.scheduler = scheduler;
        this.config = config;
        this.newGroup = newGroup;
        this.generations = generations;
    }

    /**
     * Continues a group restored from its stored generation ({@link ClassicGroup#restored}): every member's session
     * starts now, so a member that does not heartbeat within its session timeout is removed as usual.
     */
    void resume(ClassicGroup group) {
        for (GroupMember member : group.members()) {
            scheduleHeartbeatExpiry(group, member, member.sessionTimeoutMs);
        }
    }

    // ---------------------------------------------------------------- JoinGroup

    CompletableFuture<JoinGroupResponseData> joinGroup(JoinGroupRequestData request, short version, String clientId,
                                                       String clientHost) {
        CompletableFuture<JoinGroupResponseData> result = new CompletableFuture<>();
        String memberId = request.memberId();
        int rebalanceTimeoutMs = version == 0 ? request.sessionTimeoutMs() : request.rebalanceTimeoutMs();
        Optional<String> instanceId = Optional.ofNullable(request.groupInstanceId());
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return completed(joinError(memberId, Errors.INVALID_GROUP_ID, version));
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return completed(joinError(memberId, Errors.INVALID_SESSION_TIMEOUT, version));
        }
        boolean unknownMember = memberId.isEmpty();
        ClassicGroup group = groups.get(request.groupId());
        if (group == null && !unknownMember) {
            return completed(joinError(memberId, Errors.UNKNOWN_MEMBER_ID, version));
        }
        if (group != null && group.is(GroupState.DEAD)) {
            return completed(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE, version));
        }
        Set<String> offered = request.protocols().stream().map(p -> p.name()).collect(Collectors.toSet());
        boolean supported = group == null
                ? !request.protocolType().isEmpty() && !offered.isEmpty()
                : group.supportsProtocols(request.protocolType(), offered);
        if (!supported) {
            return completed(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL, version));
        }
        if (group == null) {
            group = newGroup.apply(request.groupId());
            groups.put(group.groupId, group);
        }
        if (unknownMember) {
            joinUnknownMember(group, request, version, clientId, clientHost, rebalanceTimeoutMs, instanceId, result);
        } else {
            joinKnownMember(group, request, version, clientId, clientHost, rebalanceTimeoutMs, instanceId, result);
        }
        maybeCompleteJoin(group);
        return result;
    }

    private void joinUnknownMember(ClassicGroup group, JoinGroupRequestData request, short version, String clientId,
                                   String clientHost, int rebalanceTimeoutMs, Optional<String> instanceId,
                                   CompletableFuture<JoinGroupResponseData> result) {
        String newMemberId = instanceId.orElse(clientId) + "-" + UUID.randomUUID();
        Optional<String> existingStatic = instanceId.flatMap(group::staticMemberId);
        if (existingStatic.isPresent()) {
            replaceStaticMember(group, group.member(existingStatic.get()), newMemberId, request, version,
                    rebalanceTimeoutMs, result);
        } else if (group.size() >= config.maxGroupSize()) {
            result.complete(joinError("", Errors.GROUP_MAX_SIZE_REACHED, version));
        } else if (version >= 4 && instanceId.isEmpty()) {
            group.addPending(newMemberId, scheduler.schedule(request.sessionTimeoutMs(),
                    () -> expirePendingMember(group, newMemberId)));
            result.complete(joinError(newMemberId, Errors.MEMBER_ID_REQUIRED, version));
        } else {
            addMemberAndRebalance(group, newMemberId, instanceId, request, version, clientId, clientHost,
                    rebalanceTimeoutMs, result);
        }
    }

    private void joinKnownMember(ClassicGroup group, JoinGroupRequestData request, short version, String clientId,
                                 String clientHost, int rebalanceTimeoutMs, Optional<String> instanceId,
                                 CompletableFuture<JoinGroupResponseData> result) {
        String memberId = request.memberId();
        if (group.isPending(memberId)) {
            group.removePending(memberId);
            addMemberAndRebalance(group, memberId, instanceId, request, version, clientId, clientHost,
                    rebalanceTimeoutMs, result);
            return;
        }
        Errors fenced = validateStatic(group, memberId, instanceId);
        if (fenced != Errors.NONE) {
            result.complete(joinError(memberId, fenced, version));
            return;
        }
        GroupMember member = group.member(memberId);
        if (member == null) {
            result.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID, version));
            return;
        }
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(group, member, request, version, rebalanceTimeoutMs,
                    result);
            case COMPLETING_REBALANCE -> {
                if (member.matches(request.protocols())) {
                    result.complete(joinResponse(group, member, version, false));
                } else {
                    updateMemberAndRebalance(group, member, request, version, rebalanceTimeoutMs, result);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId) || !member.matches(request.protocols())) {
                    updateMemberAndRebalance(group, member, request, version, rebalanceTimeoutMs, result);
                } else {
                    result.complete(joinResponse(group, member, version, false));
                }
            }
            default -> result.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID, version));
        }
    }

    /** FENCED_INSTANCE_ID when another member holds the instance id, UNKNOWN_MEMBER_ID when nobody does. */
    private static Errors validateStatic(ClassicGroup group, String memberId, Optional<String> instanceId) {
        if (instanceId.isEmpty()) {
            return Errors.NONE;
        }
        Optional<String> holder = group.staticMemberId(instanceId.get());
        if (holder.isEmpty()) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return holder.get().equals(memberId) ? Errors.NONE : Errors.FENCED_INSTANCE_ID;
    }

    private void addMemberAndRebalance(ClassicGroup group, String memberId, Optional<String> instanceId,
                                       JoinGroupRequestData request, short version, String clientId,
                                       String clientHost, int rebalanceTimeoutMs,
                                       CompletableFuture<JoinGroupResponseData> result) {
        GroupMember member = new GroupMember(memberId, instanceId, clientId, clientHost, request.protocolType(),
                request.sessionTimeoutMs(), rebalanceTimeoutMs, request.protocols());
        member.awaitingJoin = result;
        member.joinVersion = version;
        if (group.is(GroupState.PREPARING_REBALANCE) && group.generationId == 0) {
            group.newMemberAdded = true;
        }
        group.add(member);
        scheduleHeartbeatExpiry(group, member, GroupConfig.NEW_MEMBER_JOIN_TIMEOUT_MS);
        LOGGER.debug("Member {} joins group {}", memberId, group.groupId);
        maybePrepareRebalance(group, "member " + memberId + " joined");
    }

    private void updateMemberAndRebalance(ClassicGroup group, GroupMember member, JoinGroupRequestData request,
                                          short version, int rebalanceTimeoutMs,
                                          CompletableFuture<JoinGroupResponseData> result) {
        if (member.awaitingJoin != null) {
            member.awaitingJoin.complete(joinError(member.memberId, Errors.REBALANCE_IN_PROGRESS, member.joinVersion));
        }
        member.protocols = GroupMember.toMap(request.protocols());
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = rebalanceTimeoutMs;
        member.awaitingJoin = result;
        member.joinVersion = version;
        maybePrepareRebalance(group, "member " + member.memberId + " rejoined");
    }

    /**
     * A static member came back with a new member id (a restarted process): the new id takes over the old member's
     * place and assignment, the old id is fenced. A stable group with unchanged protocols is not rebalanced; its
     * generation is stored again, with the new member id, before the member is answered.
     */
    private void replaceStaticMember(ClassicGroup group, GroupMember old, String newMemberId,
                                     JoinGroupRequestData request, short version, int rebalanceTimeoutMs,
                                     CompletableFuture<JoinGroupResponseData> result) {
        boolean unchanged = old.matches(request.protocols());
        boolean wasLeader = group.isLeader(old.memberId);
        GroupMember replacement = new GroupMember(newMemberId, old.groupInstanceId, old.clientId, old.clientHost,
                request.protocolType(), request.sessionTimeoutMs(), rebalanceTimeoutMs, request.protocols());
        replacement.assignment = old.assignment;
        replacement.isNew = false;
        old.cancelHeartbeat();
        if (old.awaitingJoin != null) {
            old.awaitingJoin.complete(joinError(old.memberId, Errors.FENCED_INSTANCE_ID, old.joinVersion));
        }
        if (old.awaitingSync != null) {
            old.awaitingSync.complete(syncError(Errors.FENCED_INSTANCE_ID));
        }
        group.remove(old.memberId);
        group.add(replacement);
        if (wasLeader) {
            group.leaderId = Optional.of(newMemberId);
        }
        LOGGER.info("Static member {} of group {} rejoined as {}", old.groupInstanceId.orElse(""), group.groupId,
                newMemberId);
        if (group.is(GroupState.STABLE) && unchanged) {
            scheduleHeartbeatExpiry(group, replacement, replacement.sessionTimeoutMs);
            // Answered once the generation with the new member id is stored: a coordinator that takes the group over
            // must know the id the member will use. If the write fails, the member gets the error and joins again,
            // replacing the id it never learned
            generations.store(group, failure -> {
                if (failure == null) {
                    result.complete(joinResponse(group, replacement, version, wasLeader));
                } else {
                    Errors error = OffsetStorage.errorOf(failure);
                    LOGGER.warn("Could not store group {} with static member {} as {} ({}): {}", group.groupId,
                            old.groupInstanceId.orElse(""), newMemberId, error.name(), failure.toString());
                    result.complete(joinError(request.memberId(), error, version));
                }
            });
        } else {
            replacement.awaitingJoin = result;
            replacement.joinVersion = version;
            scheduleHeartbeatExpiry(group, replacement, replacement.sessionTimeoutMs);
            maybePrepareRebalance(group, "static member " + old.groupInstanceId.orElse("") + " rejoined");
        }
    }

    // ---------------------------------------------------------------- rebalance

    private void maybePrepareRebalance(ClassicGroup group, String reason) {
        if (GroupState.PREPARING_REBALANCE.validPrevious().contains(group.state())) {
            prepareRebalance(group, reason);
        }
    }

    private void prepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            for (GroupMember member : group.members()) {
                member.assignment = new byte[0];
            }
            propagateSyncError(group, Errors.REBALANCE_IN_PROGRESS);
        }
        boolean initial = group.is(GroupState.EMPTY);
        group.transitionTo(GroupState.PREPARING_REBALANCE, scheduler.nowMs());
        LOGGER.info("Preparing to rebalance group {} in generation {} ({})", group.groupId, group.generationId, reason);
        if (initial) {
            group.inInitialDelay = true;
            group.newMemberAdded = false;
            group.initialDelayRemainingMs = Math.max(group.rebalanceTimeoutMs() - config.initialRebalanceDelayMs(), 0);
            scheduleInitialDelay(group, config.initialRebalanceDelayMs());
        } else {
            group.inInitialDelay = false;
            group.joinTimer = scheduler.schedule(group.rebalanceTimeoutMs(), () -> completeJoin(group));
        }
    }

    /** Kafka's InitialDelayedJoin: while new members keep arriving, wait again, up to the rebalance timeout. */
    private void scheduleInitialDelay(ClassicGroup group, long delayMs) {
        group.joinTimer = scheduler.schedule(delayMs, () -> {
            if (group.newMemberAdded && group.initialDelayRemainingMs > 0) {
                group.newMemberAdded = false;
                long next = Math.min(config.initialRebalanceDelayMs(), group.initialDelayRemainingMs);
                group.initialDelayRemainingMs = Math.max(group.initialDelayRemainingMs - next, 0);
                scheduleInitialDelay(group, next);
            } else {
                completeJoin(group);
            }
        });
    }

    private void maybeCompleteJoin(ClassicGroup group) {
        if (group.is(GroupState.PREPARING_REBALANCE) && !group.inInitialDelay && group.hasAllMembersJoined()) {
            completeJoin(group);
        }
    }

    /** Ends the join phase: members that did not rejoin are dropped, the next generation starts. */
    private void completeJoin(ClassicGroup group) {
        if (!group.is(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        if (group.joinTimer != null) {
            group.joinTimer.cancel();
            group.joinTimer = null;
        }
        group.inInitialDelay = false;
        for (GroupMember member : new ArrayList<>(group.members())) {
            if (!member.isAwaitingJoin()) {
                LOGGER.info("Member {} of group {} did not rejoin in time and is removed", member.memberId,
                        group.groupId);
                member.cancelHeartbeat();
                group.remove(member.memberId);
            }
        }
        group.initNextGeneration(scheduler.nowMs());
        if (group.is(GroupState.EMPTY)) {
            LOGGER.info("Group {} with generation {} is now empty", group.groupId, group.generationId);
            generations.remove(group);
            return;
        }
        LOGGER.info("Stabilized group {} generation {} with {} member(s), protocol {}", group.groupId,
                group.generationId, group.size(), group.protocolName.orElse(""));
        for (GroupMember member : group.members()) {
            CompletableFuture<JoinGroupResponseData> waiting = member.awaitingJoin;
            member.awaitingJoin = null;
            member.isNew = false;
            scheduleHeartbeatExpiry(group, member, member.sessionTimeoutMs);
            waiting.complete(joinResponse(group, member, member.joinVersion, false));
        }
    }

    // ---------------------------------------------------------------- SyncGroup

    CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData request, short version) {
        ClassicGroup group = groups.get(request.groupId());
        Optional<String> instanceId = Optional.ofNullable(request.groupInstanceId());
        Errors error = validateMember(group, request.memberId(), instanceId, request.generationId());
        if (error == Errors.NONE && version >= 5
                && (!matches(request.protocolType(), group.protocolType)
                || !matches(request.protocolName(), group.protocolName))) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error != Errors.NONE) {
            return completed(syncError(error));
        }
        GroupMember member = group.member(request.memberId());
        switch (group.state()) {
            case PREPARING_REBALANCE -> {
                return completed(syncError(Errors.REBALANCE_IN_PROGRESS));
            }
            case COMPLETING_REBALANCE -> {
                CompletableFuture<SyncGroupResponseData> result = new CompletableFuture<>();
                if (member.awaitingSync != null) {
                    member.awaitingSync.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                }
                member.awaitingSync = result;
                member.syncVersion = version;
                scheduleHeartbeatExpiry(group, member, member.sessionTimeoutMs);
                if (group.isLeader(member.memberId)) {
                    Map<String, byte[]> assignments = new HashMap<>();
                    for (SyncGroupRequestAssignment assignment : request.assignments()) {
                        assignments.put(assignment.memberId(), assignment.assignment());
                    }
                    for (GroupMember each : group.members()) {
                        each.assignment = assignments.getOrDefault(each.memberId, new byte[0]);
                    }
                    completeGeneration(group);
                }
                return result;
            }
            case STABLE -> {
                scheduleHeartbeatExpiry(group, member, member.sessionTimeoutMs);
                return completed(syncResponse(group, member, version));
            }
            default -> {
                return completed(syncError(Errors.UNKNOWN_MEMBER_ID));
            }
        }
    }

    /**
     * The leader's assignment is in: the generation is stored ({@link GroupGenerations}), and only then does the group
     * become Stable and every waiting member get its assignment, as in Kafka. A failed write ends the generation: the
     * waiting members get the error (NOT_COORDINATOR when fenced: this broker lost the group's slot) and the group
     * rebalances. A write that completes after the generation ended (a rebalance, a drop) changes nothing.
     */
    private void completeGeneration(ClassicGroup group) {
        int generation = group.generationId;
        generations.store(group, failure -> {
            if (!group.is(GroupState.COMPLETING_REBALANCE) || group.generationId != generation) {
                return;
            }
            if (failure != null) {
                Errors error = OffsetStorage.errorOf(failure);
                LOGGER.warn("Could not store generation {} of group {} ({}): {}", generation, group.groupId,
                        error.name(), failure.toString());
                propagateSyncError(group, error);
                maybePrepareRebalance(group, "its generation could not be stored");
                return;
            }
            group.transitionTo(GroupState.STABLE, scheduler.nowMs());
            for (GroupMember each : group.members()) {
                if (each.awaitingSync != null) {
                    CompletableFuture<SyncGroupResponseData> waiting = each.awaitingSync;
                    each.awaitingSync = null;
                    waiting.complete(syncResponse(group, each, each.syncVersion));
                }
            }
            LOGGER.debug("Group {} generation {} received its assignment", group.groupId, generation);
        });
    }

    private static boolean matches(String requested, Optional<String> actual) {
        return requested == null || actual.map(requested::equals).orElse(false);
    }

    /** The checks SyncGroup and Heartbeat share: group alive, member known and not fenced, generation current. */
    private static Errors validateMember(ClassicGroup group, String memberId, Optional<String> instanceId,
                                         int generationId) {
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        Errors fenced = validateStatic(group, memberId, instanceId);
        if (fenced != Errors.NONE) {
            return fenced;
        }
        if (group.member(memberId) == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return generationId == group.generationId ? Errors.NONE : Errors.ILLEGAL_GENERATION;
    }

    private void propagateSyncError(ClassicGroup group, Errors error) {
        for (GroupMember member : group.members()) {
            if (member.awaitingSync != null) {
                CompletableFuture<SyncGroupResponseData> waiting = member.awaitingSync;
                member.awaitingSync = null;
                waiting.complete(syncError(error));
            }
        }
    }

    // ---------------------------------------------------------------- Heartbeat and LeaveGroup

    Errors heartbeat(HeartbeatRequestData request) {
        ClassicGroup group = groups.get(request.groupId());
        Errors error = validateMember(group, request.memberId(), Optional.ofNullable(request.groupInstanceId()),
                request.generationId());
        if (error != Errors.NONE) {
            return error;
        }
        GroupMember member = group.member(request.memberId());
        return switch (group.state()) {
            case PREPARING_REBALANCE -> {
                scheduleHeartbeatExpiry(group, member, member.sessionTimeoutMs);
                yield Errors.REBALANCE_IN_PROGRESS;
            }
            case COMPLETING_REBALANCE, STABLE -> {
                scheduleHeartbeatExpiry(group, member, member.sessionTimeoutMs);
                yield Errors.NONE;
            }
            default -> Errors.UNKNOWN_MEMBER_ID;
        };
    }

    /** Removes the members; the answer for each, in request order. A missing group fails every member. */
    List<MemberResponse> leaveGroup(String groupId, List<MemberIdentity> leaving) {
        ClassicGroup group = groups.get(groupId);
        List<MemberResponse> responses = new ArrayList<>();
        for (MemberIdentity identity : leaving) {
            MemberResponse response = new MemberResponse().setMemberId(identity.memberId())
                    .setGroupInstanceId(identity.groupInstanceId());
            response.setErrorCode(leave(group, identity).code());
            responses.add(response);
        }
        return responses;
    }

    private Errors leave(ClassicGroup group, MemberIdentity identity) {
        if (group == null || group.is(GroupState.DEAD)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        String memberId = identity.memberId();
        if (identity.groupInstanceId() != null) {
            Optional<String> holder = group.staticMemberId(identity.groupInstanceId());
            if (holder.isEmpty()) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (!memberId.isEmpty() && !holder.get().equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            memberId = holder.get();
        } else if (group.isPending(memberId)) {
            group.removePending(memberId);
            maybeCompleteJoin(group);
            return Errors.NONE;
        }
        GroupMember member = group.member(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        LOGGER.info("Member {} leaves group {}{}", memberId, group.groupId,
                identity.reason() == null ? "" : " (" + identity.reason() + ")");
        removeMemberAndUpdateGroup(group, member, "member " + memberId + " left");
        return Errors.NONE;
    }

    private void removeMemberAndUpdateGroup(ClassicGroup group, GroupMember member, String reason) {
        member.cancelHeartbeat();
        if (member.awaitingJoin != null) {
            member.awaitingJoin.complete(joinError(member.memberId, Errors.UNKNOWN_MEMBER_ID, member.joinVersion));
            member.awaitingJoin = null;
        }
        if (member.awaitingSync != null) {
            member.awaitingSync.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            member.awaitingSync = null;
        }
        group.remove(member.memberId);
        if (group.is(GroupState.STABLE) || group.is(GroupState.COMPLETING_REBALANCE)) {
            maybePrepareRebalance(group, reason);
        }
        maybeCompleteJoin(group);
    }

    private void scheduleHeartbeatExpiry(ClassicGroup group, GroupMember member, long timeoutMs) {
        member.cancelHeartbeat();
        member.heartbeatTimer = scheduler.schedule(timeoutMs, () -> onHeartbeatExpired(group, member));
    }

    /** Kafka keeps members alive while they wait in a join (except new ones) or a sync. */
    private void onHeartbeatExpired(ClassicGroup group, GroupMember member) {
        member.heartbeatTimer = null;
        if (group.member(member.memberId) != member) {
            return;
        }
        if ((member.isAwaitingJoin() && !member.isNew) || member.isAwaitingSync()) {
            scheduleHeartbeatExpiry(group, member, member.sessionTimeoutMs);
            return;
        }
        LOGGER.info("Member {} of group {} failed to heartbeat within its session timeout of {} ms",
                member.memberId, group.groupId, member.sessionTimeoutMs);
        removeMemberAndUpdateGroup(group, member, "member " + member.memberId + " session expired");
    }

    private void expirePendingMember(ClassicGroup group, String memberId) {
        if (group.isPending(memberId)) {
            group.removePending(memberId);
            maybeCompleteJoin(group);
        }
    }

    /**
     * Gives up a group this broker no longer coordinates: every member waiting in a join or a sync is answered
     * {@code error}, every timer ends, and the group is Dead.
     */
    void abandon(ClassicGroup group, Errors error) {
        cancelTimers(group);
        group.removeAllPending();
        for (GroupMember member : group.members()) {
            if (member.awaitingJoin != null) {
                member.awaitingJoin.complete(joinError(member.memberId, error, member.joinVersion));
                member.awaitingJoin = null;
            }
            if (member.awaitingSync != null) {
                member.awaitingSync.complete(syncError(error));
                member.awaitingSync = null;
            }
        }
        group.transitionTo(GroupState.DEAD, scheduler.nowMs());
    }

    /** Ends every timer of a group that is being deleted. */
    void cancelTimers(ClassicGroup group) {
        group.members().forEach(GroupMember::cancelHeartbeat);
        if (group.joinTimer != null) {
            group.joinTimer.cancel();
            group.joinTimer = null;
        }
    }

    // ---------------------------------------------------------------- responses

    private static JoinGroupResponseData joinResponse(ClassicGroup group, GroupMember member, short version,
                                                      boolean skipAssignment) {
        JoinGroupResponseData response = new JoinGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setGenerationId(group.generationId)
                .setProtocolName(group.protocolName.orElse(version >= 7 ? null : ""))
                .setLeader(group.leaderId.orElse(""))
                .setMemberId(member.memberId);
        if (version >= 7) {
            response.setProtocolType(group.protocolType.orElse(null));
        }
        if (version >= 9) {
            response.setSkipAssignment(skipAssignment);
        }
        if (group.isLeader(member.memberId)) {
            for (GroupMember each : group.members()) {
                response.members().add(new JoinGroupResponseMember()
                        .setMemberId(each.memberId)
                        .setGroupInstanceId(each.groupInstanceId.orElse(null))
                        .setMetadata(each.metadata(group.protocolName.orElse(null))));
            }
        }
        return response;
    }

    private static SyncGroupResponseData syncResponse(ClassicGroup group, GroupMember member, short version) {
        SyncGroupResponseData response = new SyncGroupResponseData()
                .setErrorCode(Errors.NONE.code())
                .setAssignment(member.assignment);
        if (version >= 5) {
            response.setProtocolType(group.protocolType.orElse(null)).setProtocolName(group.protocolName.orElse(null));
        }
        return response;
    }

    private static <T> CompletableFuture<T> completed(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
