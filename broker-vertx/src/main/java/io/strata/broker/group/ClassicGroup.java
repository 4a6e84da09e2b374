package io.strata.broker.group;

import io.strata.metadata.StoredGroup;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;

/**
 * One classic-protocol group: its {@link GroupState}, generation, selected protocol, leader and members (including
 * static members by instance id and members that were told MEMBER_ID_REQUIRED and have not come back yet). Holds
 * data and the rules that only read it (protocol selection, "have all members joined"); the join/sync/heartbeat/leave
 * logic lives in {@link GroupMembership}. Not thread-safe: owned by the coordinator's thread.
 */
final class ClassicGroup {

    final String groupId;
    /**
     * The epoch of the group's coordinator slot at which this broker held the group when it created it here; the
     * group is dropped as soon as this broker coordinates the group at another epoch, or not at all.
     */
    final int coordinatorEpoch;
    private GroupState state = GroupState.EMPTY;
    private long stateTimestampMs;
    int generationId;
    /** The protocol type of the members ("consumer" for consumers), empty for a group that only commits offsets. */
    Optional<String> protocolType = Optional.empty();
    Optional<String> protocolName = Optional.empty();
    Optional<String> leaderId = Optional.empty();
    private final Map<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Map<String, GroupScheduler.Timer> pendingMembers = new HashMap<>();
    /** The timer completing the current rebalance's join phase, while PreparingRebalance. */
    GroupScheduler.Timer joinTimer;
    /** True while the first rebalance of an empty group waits out {@code group.initial.rebalance.delay.ms}. */
    boolean inInitialDelay;
    boolean newMemberAdded;
    long initialDelayRemainingMs;

    ClassicGroup(String groupId, long nowMs, int coordinatorEpoch) {
        this.groupId = groupId;
        this.coordinatorEpoch = coordinatorEpoch;
        this.stateTimestampMs = nowMs;
    }

    /**
     * A group continuing a stored generation (CLUSTER.md rule 10), held here at {@code coordinatorEpoch}: Stable, at
     * the stored generation, protocol and leader, with the stored members in their order (their session timers are
     * the caller's to start).
     */
    static ClassicGroup restored(StoredGroup stored, long nowMs, int coordinatorEpoch) {
        ClassicGroup group = new ClassicGroup(stored.groupId(), nowMs, coordinatorEpoch);
        stored.members().forEach(member -> group.add(GroupMember.restored(member, stored.protocolType(),
                stored.protocolName())));
        group.generationId = stored.generation();
        group.protocolType = Optional.of(stored.protocolType());
        group.protocolName = Optional.of(stored.protocolName());
        group.leaderId = Optional.of(stored.leaderId());
        group.state = GroupState.STABLE;
        return group;
    }

    /**
     * The generation as stored: its number, protocol, leader and members with their assignments. Only for a group
     * with members and a selected protocol (CompletingRebalance or Stable).
     */
    StoredGroup stored() {
        String protocol = protocolName.orElseThrow(() -> new IllegalStateException("Group " + groupId
                + " has no selected protocol to store"));
        return new StoredGroup(groupId, generationId, protocolType.orElse(""), protocol, leaderId.orElseThrow(),
                members.values().stream().map(member -> member.stored(protocol)).toList());
    }

    GroupState state() {
        return state;
    }

    /** When the group entered its current state. */
    long stateTimestampMs() {
        return stateTimestampMs;
    }

    boolean is(GroupState candidate) {
        return state == candidate;
    }

    void transitionTo(GroupState next, long nowMs) {
        if (!next.validPrevious().contains(state)) {
            throw new IllegalStateException("Group " + groupId + " cannot move from " + state + " to " + next);
        }
        state = next;
        stateTimestampMs = nowMs;
    }

    Collection<GroupMember> members() {
        return members.values();
    }

    int size() {
        return members.size();
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    GroupMember member(String memberId) {
        return members.get(memberId);
    }

    boolean isLeader(String memberId) {
        return leaderId.map(memberId::equals).orElse(false);
    }

    void add(GroupMember member) {
        if (members.isEmpty()) {
            protocolType = Optional.of(member.protocolType);
        }
        members.put(member.memberId, member);
        member.groupInstanceId.ifPresent(id -> staticMembers.put(id, member.memberId));
        if (leaderId.isEmpty()) {
            leaderId = Optional.of(member.memberId);
        }
    }

    void remove(String memberId) {
        GroupMember removed = members.remove(memberId);
        if (removed != null) {
            removed.groupInstanceId.ifPresent(id -> staticMembers.remove(id, memberId));
        }
        if (isLeader(memberId)) {
            leaderId = members.values().stream().filter(GroupMember::isAwaitingJoin).findFirst()
                    .or(() -> members.values().stream().findFirst())
                    .map(m -> m.memberId);
        }
    }

    /** The member id currently holding {@code groupInstanceId}, if any. */
    Optional<String> staticMemberId(String groupInstanceId) {
        return Optional.ofNullable(staticMembers.get(groupInstanceId));
    }

    void addPending(String memberId, GroupScheduler.Timer expiry) {
        pendingMembers.put(memberId, expiry);
    }

    boolean isPending(String memberId) {
        return pendingMembers.containsKey(memberId);
    }

    void removePending(String memberId) {
        GroupScheduler.Timer timer = pendingMembers.remove(memberId);
        if (timer != null) {
            timer.cancel();
        }
    }

    /** Forgets every pending member id and cancels their expiry timers. */
    void removeAllPending() {
        pendingMembers.values().forEach(GroupScheduler.Timer::cancel);
        pendingMembers.clear();
    }

    boolean hasPendingMembers() {
        return !pendingMembers.isEmpty();
    }

    /** Every member has sent its JoinGroup for this rebalance and no member id handed out is still unused. */
    boolean hasAllMembersJoined() {
        return members.values().stream().allMatch(GroupMember::isAwaitingJoin) && pendingMembers.isEmpty();
    }

    /** The largest rebalance timeout of the members: how long a rebalance waits for rejoins. */
    int rebalanceTimeoutMs() {
        return members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
    }

    /** True when a member offering {@code type} and {@code protocols} may join. */
    boolean supportsProtocols(String type, Set<String> protocols) {
        if (members.isEmpty()) {
            return !type.isEmpty() && !protocols.isEmpty();
        }
        return protocolType.map(type::equals).orElse(false)
                && protocols.stream().anyMatch(candidateProtocols()::contains);
    }

    /** Protocols every member supports. */
    private Set<String> candidateProtocols() {
        Set<String> candidates = null;
        for (GroupMember member : members.values()) {
            if (candidates == null) {
                candidates = new HashSet<>(member.protocols.keySet());
            } else {
                candidates.retainAll(member.protocols.keySet());
            }
        }
        return candidates == null ? Set.of() : candidates;
    }

    /** Kafka's vote: each member votes for its most preferred protocol that all members support. */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (GroupMember member : members.values()) {
            member.protocols.keySet().stream().filter(candidates::contains).findFirst()
                    .ifPresent(p -> votes.merge(p, 1, Integer::sum));
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                .orElseThrow(() -> new IllegalStateException("No protocol supported by every member of " + groupId));
    }

    /** Moves to the next generation: CompletingRebalance with a selected protocol, or Empty without members. */
    void initNextGeneration(long nowMs) {
        generationId++;
        if (members.isEmpty()) {
            protocolName = Optional.empty();
            transitionTo(GroupState.EMPTY, nowMs);
        } else {
            protocolName = Optional.of(selectProtocol());
            transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
        }
    }

    /**
     * The topics the members subscribed to, when they use the consumer protocol and their subscriptions parse;
     * empty when that cannot be known.
     */
    Optional<Set<String>> subscribedTopics() {
        if (members.isEmpty()) {
            return Optional.of(Set.of());
        }
        if (!protocolType.map("consumer"::equals).orElse(false) || protocolName.isEmpty()) {
            return Optional.empty();
        }
        Set<String> topics = new HashSet<>();
        for (GroupMember member : members.values()) {
            try {
                List<String> subscribed = ConsumerProtocol.deserializeSubscription(
                        ByteBuffer.wrap(member.metadata(protocolName.get()))).topics();
                topics.addAll(subscribed);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(topics);
    }
}
