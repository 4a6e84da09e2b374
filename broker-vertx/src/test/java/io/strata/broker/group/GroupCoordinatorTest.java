package io.strata.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.metadata.StoredGroup;
import io.strata.metadata.StoredMember;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The coordinator's state machine and timing, driven by hand with a manual clock: no threads, no sleeps. */
@Timeout(value = 5, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupCoordinatorTest {

    private static final String GROUP = "g";
    private static final int SESSION_MS = 10_000;
    private static final int REBALANCE_MS = 30_000;
    private static final long DELAY_MS = 3_000;
    private static final GroupConfig CONFIG = new GroupConfig(DELAY_MS, 1_000, 60_000, 3, 600_000, 60_000, 16);

    private final ManualScheduler clock = new ManualScheduler();
    private final InMemoryOffsetStorage storage = new InMemoryOffsetStorage();
    private final InMemoryGroupStateStorage generations = new InMemoryGroupStateStorage();
    private final GroupCoordinator coordinator = new GroupCoordinator(clock, CONFIG, storage, generations,
            tp -> tp.topic().equals("t"), GroupOwnership.everyGroup());

    private static JoinGroupRequestData joinRequest(String memberId, String instanceId, byte metadata) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {metadata}));
        return new JoinGroupRequestData().setGroupId(GROUP).setSessionTimeoutMs(SESSION_MS)
                .setRebalanceTimeoutMs(REBALANCE_MS).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setProtocolType("consumer").setProtocols(protocols);
    }

    private CompletableFuture<JoinGroupResponseData> join(String memberId) {
        return coordinator.joinGroup(joinRequest(memberId, null, (byte) 0), (short) 9, "client", "/127.0.0.1");
    }

    /** A v9 join of a new member: the MEMBER_ID_REQUIRED round trip, then the real join (still waiting). */
    private CompletableFuture<JoinGroupResponseData> joinNewMember() {
        JoinGroupResponseData first = join("").join();
        assertThat(first.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(first.memberId()).startsWith("client-");
        return join(first.memberId());
    }

    private SyncGroupResponseData sync(JoinGroupResponseData joined, List<JoinGroupResponseMember> assignTo) {
        return syncAsync(joined, assignTo).join();
    }

    private CompletableFuture<SyncGroupResponseData> syncAsync(JoinGroupResponseData joined,
                                                               List<JoinGroupResponseMember> assignTo) {
        SyncGroupRequestData request = new SyncGroupRequestData().setGroupId(GROUP)
                .setGenerationId(joined.generationId()).setMemberId(joined.memberId())
                .setProtocolType("consumer").setProtocolName("range");
        assignTo.forEach(m -> request.assignments().add(new SyncGroupRequestAssignment().setMemberId(m.memberId())
                .setAssignment(m.memberId().getBytes())));
        return coordinator.syncGroup(request, (short) 5);
    }

    private Errors heartbeat(JoinGroupResponseData joined) {
        return coordinator.heartbeat(new HeartbeatRequestData().setGroupId(GROUP)
                .setGenerationId(joined.generationId()).setMemberId(joined.memberId()));
    }

    private String state() {
        return coordinator.describeGroup(GROUP, (short) 5).groupState();
    }

    /** Two members joined together and synced: a Stable generation 1. */
    private List<JoinGroupResponseData> stableGroupOfTwo() {
        CompletableFuture<JoinGroupResponseData> a = joinNewMember();
        CompletableFuture<JoinGroupResponseData> b = joinNewMember();
        clock.advance(2 * DELAY_MS);
        JoinGroupResponseData leader = a.join();
        JoinGroupResponseData follower = b.join();
        sync(leader, leader.members());
        assertThat(sync(follower, List.of()).errorCode()).isZero();
        assertThat(state()).isEqualTo("Stable");
        return List.of(leader, follower);
    }

    @Test
    void theFirstRebalanceWaitsForTheInitialDelayThenCompletesWithTheFirstMemberAsLeader() {
        CompletableFuture<JoinGroupResponseData> a = joinNewMember();

        clock.advance(DELAY_MS - 1);
        assertThat(a).isNotDone();
        assertThat(state()).isEqualTo("PreparingRebalance");

        clock.advance(1);
        JoinGroupResponseData leader = a.join();
        assertThat(leader.errorCode()).isZero();
        assertThat(leader.generationId()).isEqualTo(1);
        assertThat(leader.leader()).isEqualTo(leader.memberId());
        assertThat(leader.protocolName()).isEqualTo("range");
        assertThat(leader.members()).extracting(JoinGroupResponseMember::memberId).containsExactly(leader.memberId());
        assertThat(state()).isEqualTo("CompletingRebalance");
    }

    @Test
    void newMembersArrivingDuringTheInitialDelayExtendItUpToTheRebalanceTimeout() {
        CompletableFuture<JoinGroupResponseData> a = joinNewMember();
        clock.advance(DELAY_MS - 1_000);
        CompletableFuture<JoinGroupResponseData> b = joinNewMember();

        clock.advance(1_000);
        assertThat(a).as("a member joined during the delay: wait once more").isNotDone();

        clock.advance(DELAY_MS);
        assertThat(a.join().members()).hasSize(2);
        assertThat(b.join().generationId()).isEqualTo(1);
        assertThat(b.join().members()).as("followers get no member list").isEmpty();
    }

    @Test
    void theLeadersAssignmentReachesEveryMemberAndTheGroupIsStable() {
        List<JoinGroupResponseData> members = stableGroupOfTwo();

        SyncGroupResponseData again = sync(members.get(1), List.of());

        assertThat(new String(again.assignment())).isEqualTo(members.get(1).memberId());
        assertThat(heartbeat(members.get(0))).isEqualTo(Errors.NONE);
    }

    @Test
    void aMemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout() {
        List<JoinGroupResponseData> members = stableGroupOfTwo();
        JoinGroupResponseData alive = members.get(0);

        clock.advance(SESSION_MS / 2);
        assertThat(heartbeat(alive)).isEqualTo(Errors.NONE);
        clock.advance(SESSION_MS / 2);

        assertThat(heartbeat(alive)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData rejoined = join(alive.memberId()).join();
        assertThat(rejoined.generationId()).isEqualTo(2);
        assertThat(rejoined.members()).extracting(JoinGroupResponseMember::memberId)
                .containsExactly(alive.memberId());
        assertThat(heartbeat(members.get(1))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aMemberThatDoesNotRejoinWithinTheRebalanceTimeoutIsDropped() {
        List<JoinGroupResponseData> members = stableGroupOfTwo();
        JoinGroupResponseData follower = members.get(1);

        CompletableFuture<JoinGroupResponseData> rejoin = coordinator.joinGroup(
                joinRequest(follower.memberId(), null, (byte) 7), (short) 9, "client", "/127.0.0.1");
        assertThat(state()).isEqualTo("PreparingRebalance");
        for (int i = 1; i < REBALANCE_MS / 5_000; i++) {
            clock.advance(5_000);
            assertThat(heartbeat(members.get(0))).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
            assertThat(rejoin).isNotDone();
        }
        clock.advance(5_000);

        assertThat(rejoin.join().generationId()).isEqualTo(2);
        assertThat(rejoin.join().leader()).isEqualTo(follower.memberId());
        assertThat(heartbeat(members.get(0))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void leavingRebalancesTheRestAndTheLastLeaveEmptiesTheGroup() {
        List<JoinGroupResponseData> members = stableGroupOfTwo();

        assertThat(coordinator.leaveGroup(GROUP, List.of(new MemberIdentity().setMemberId(members.get(0).memberId()))))
                .singleElement().satisfies(r -> assertThat(r.errorCode()).isZero());
        assertThat(heartbeat(members.get(1))).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData alone = join(members.get(1).memberId()).join();
        assertThat(alone.leader()).isEqualTo(members.get(1).memberId());

        coordinator.leaveGroup(GROUP, List.of(new MemberIdentity().setMemberId(alone.memberId())));
        assertThat(state()).isEqualTo("Empty");
        assertThat(coordinator.leaveGroup(GROUP, List.of(new MemberIdentity().setMemberId("nobody"))))
                .singleElement().satisfies(r -> assertThat(r.errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code()));
    }

    @Test
    void syncAndHeartbeatCheckMemberAndGeneration() {
        List<JoinGroupResponseData> members = stableGroupOfTwo();
        JoinGroupResponseData stale = members.get(0).duplicate().setGenerationId(0);

        assertThat(heartbeat(stale)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(sync(stale, List.of()).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(heartbeat(members.get(0).duplicate().setMemberId("unknown"))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(coordinator.heartbeat(new HeartbeatRequestData().setGroupId("other").setMemberId("m")))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void joinsThatCannotBeAcceptedGetKafkasErrors() {
        JoinGroupRequestData tooShort = joinRequest("", null, (byte) 0).setSessionTimeoutMs(10);
        assertThat(coordinator.joinGroup(tooShort, (short) 9, "c", "h").join().errorCode())
                .isEqualTo(Errors.INVALID_SESSION_TIMEOUT.code());
        assertThat(coordinator.joinGroup(joinRequest("", null, (byte) 0).setGroupId(""), (short) 9, "c", "h").join()
                .errorCode()).isEqualTo(Errors.INVALID_GROUP_ID.code());
        assertThat(join("never-handed-out").join().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());

        joinNewMember();
        JoinGroupRequestData otherType = joinRequest("", null, (byte) 0).setProtocolType("connect");
        assertThat(coordinator.joinGroup(otherType, (short) 9, "c", "h").join().errorCode())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
    }

    @Test
    void aGroupAcceptsNoMoreThanGroupMaxSizeMembers() {
        for (int i = 0; i < CONFIG.maxGroupSize(); i++) {
            joinNewMember();
        }
        assertThat(join("").join().errorCode()).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED.code());
    }

    @Test
    void aPendingMemberIdExpiresAfterTheSessionTimeout() {
        String memberId = join("").join().memberId();

        clock.advance(SESSION_MS);

        assertThat(join(memberId).join().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void aRestartedStaticMemberTakesOverItsPlaceWithoutARebalanceAndFencesTheOldId() {
        CompletableFuture<JoinGroupResponseData> first = coordinator.joinGroup(joinRequest("", "instance-1", (byte) 0),
                (short) 9, "client", "h");
        clock.advance(DELAY_MS);
        JoinGroupResponseData old = first.join();
        assertThat(old.errorCode()).isZero();
        sync(old, old.members());

        JoinGroupResponseData restarted = coordinator.joinGroup(joinRequest("", "instance-1", (byte) 0), (short) 9,
                "client", "h").join();

        assertThat(restarted.errorCode()).isZero();
        assertThat(restarted.memberId()).isNotEqualTo(old.memberId());
        assertThat(restarted.generationId()).isEqualTo(old.generationId());
        assertThat(state()).isEqualTo("Stable");
        assertThat(new String(sync(restarted, List.of()).assignment())).isEqualTo(old.memberId());
        assertThat(coordinator.heartbeat(new HeartbeatRequestData().setGroupId(GROUP).setMemberId(old.memberId())
                .setGroupInstanceId("instance-1").setGenerationId(old.generationId())))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
    }

    private OffsetCommitResponseData commit(int generation, String memberId, String topic, String metadata) {
        OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(GROUP)
                .setGenerationIdOrMemberEpoch(generation).setMemberId(memberId)
                .setTopics(List.of(new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(42)
                                .setCommittedMetadata(metadata)))));
        return coordinator.commitOffsets(request, (short) 9).join();
    }

    private static short error(OffsetCommitResponseData response) {
        return response.topics().get(0).partitions().get(0).errorCode();
    }

    @Test
    void offsetCommitsAreCheckedLikeKafkasClassicGroups() {
        assertThat(error(commit(3, "m", "t", ""))).as("unknown group, generation given")
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
        List<JoinGroupResponseData> members = stableGroupOfTwo();
        JoinGroupResponseData member = members.get(0);

        assertThat(error(commit(-1, "", "t", ""))).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(error(commit(member.generationId() + 1, member.memberId(), "t", "")))
                .isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(error(commit(member.generationId(), member.memberId(), "missing", "")))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(error(commit(member.generationId(), member.memberId(), "t", "x".repeat(17))))
                .isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE.code());
        assertThat(error(commit(member.generationId(), member.memberId(), "t", "ok"))).isZero();
        assertThat(coordinator.fetchOffsets(GROUP).join()).singleElement()
                .satisfies(o -> assertThat(o.offset()).isEqualTo(42));
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAfterTheRetentionAndTheGroupGoesAway() {
        assertThat(error(commit(-1, "", "t", ""))).isZero();
        assertThat(coordinator.listGroups(null, null)).extracting(ListedGroup::groupId).containsExactly(GROUP);

        coordinator.start(List.of());
        clock.advance(CONFIG.offsetsRetentionMs() - 1);
        coordinator.expireOffsets();
        assertThat(coordinator.fetchOffsets(GROUP).join()).hasSize(1);

        clock.advance(CONFIG.offsetsRetentionCheckIntervalMs());
        assertThat(coordinator.fetchOffsets(GROUP).join()).isEmpty();
        assertThat(coordinator.listGroups(null, null)).isEmpty();
    }

    @Test
    void anEmptyGroupWithoutOffsetsIsRemovedAtTheNextExpiryCheck() {
        coordinator.start(List.of());
        CompletableFuture<JoinGroupResponseData> joined = joinNewMember();
        clock.advance(DELAY_MS);
        coordinator.leaveGroup(GROUP, List.of(new MemberIdentity().setMemberId(joined.join().memberId())));
        assertThat(state()).isEqualTo("Empty");

        clock.advance(CONFIG.offsetsRetentionCheckIntervalMs());

        assertThat(coordinator.listGroups(null, null)).isEmpty();
    }

    @Test
    void aJoinWithoutProtocolsCreatesNoGroup() {
        JoinGroupRequestData noProtocols = joinRequest("", null, (byte) 0)
                .setProtocols(new JoinGroupRequestProtocolCollection());

        assertThat(coordinator.joinGroup(noProtocols, (short) 9, "c", "h").join().errorCode())
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
        assertThat(coordinator.listGroups(null, null)).isEmpty();
    }

    @Test
    void offsetsOfAGroupWithMembersDoNotExpire() {
        List<JoinGroupResponseData> members = stableGroupOfTwo();
        commit(members.get(0).generationId(), members.get(0).memberId(), "t", "");

        for (long t = 0; t < CONFIG.offsetsRetentionMs() * 2; t += SESSION_MS / 2) {
            clock.advance(SESSION_MS / 2);
            members.forEach(this::heartbeat);
        }
        coordinator.expireOffsets();

        assertThat(coordinator.fetchOffsets(GROUP).join()).hasSize(1);
    }

    @Test
    void onlyEmptyGroupsCanBeDeletedAndUnknownOnesAreReported() {
        stableGroupOfTwo();
        assertThat(coordinator.deleteGroups(List.of(GROUP, "unknown")).join())
                .extracting(r -> Errors.forCode(r.errorCode()))
                .containsExactly(Errors.NON_EMPTY_GROUP, Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void listAndDescribeReportStatesAsKafkaNamesThem() {
        stableGroupOfTwo();

        assertThat(coordinator.listGroups(List.of("stable"), List.of("Classic"))).extracting(ListedGroup::groupState)
                .containsExactly("Stable");
        assertThat(coordinator.listGroups(List.of("Empty"), null)).isEmpty();
        assertThat(coordinator.listGroups(null, List.of("consumer"))).isEmpty();
        assertThat(coordinator.describeGroup(GROUP, (short) 5).members()).hasSize(2)
                .allSatisfy(m -> assertThat(m.memberAssignment()).isNotEmpty());
        assertThat(coordinator.describeGroup("unknown", (short) 5).errorCode()).isZero();
        assertThat(coordinator.describeGroup("unknown", (short) 6).errorCode())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    // ---- stored generations (CLUSTER.md rule 10) ------------------------------------------------------------

    @Test
    void eachCompletedGenerationIsStoredWithItsLeaderMembersSubscriptionsAndAssignments() {
        List<JoinGroupResponseData> members = stableGroupOfTwo();

        StoredGroup stored = generations.stored(GROUP).orElseThrow();
        assertThat(stored.generation()).isEqualTo(1);
        assertThat(stored.protocolType()).isEqualTo("consumer");
        assertThat(stored.protocolName()).isEqualTo("range");
        assertThat(stored.leaderId()).isEqualTo(members.get(0).memberId());
        assertThat(stored.members()).extracting(StoredMember::memberId)
                .containsExactly(members.get(0).memberId(), members.get(1).memberId());
        assertThat(stored.members()).allSatisfy(member -> {
            assertThat(member.assignment()).isEqualTo(member.memberId().getBytes());
            assertThat(member.subscription()).containsExactly(0);
            assertThat(member.sessionTimeoutMs()).isEqualTo(SESSION_MS);
            assertThat(member.rebalanceTimeoutMs()).isEqualTo(REBALANCE_MS);
            assertThat(member.clientId()).isEqualTo("client");
            assertThat(member.clientHost()).isEqualTo("/127.0.0.1");
        });
    }

    @Test
    void theLeadersSyncIsAnsweredOnlyOnceItsGenerationIsStored() {
        CompletableFuture<JoinGroupResponseData> joining = joinNewMember();
        clock.advance(DELAY_MS);
        JoinGroupResponseData leader = joining.join();
        generations.holdNextWrite();

        CompletableFuture<SyncGroupResponseData> synced = syncAsync(leader, leader.members());

        assertThat(synced).as("while the generation is being stored").isNotDone();
        assertThat(state()).isEqualTo("CompletingRebalance");
        generations.releaseFirstHeld();
        assertThat(synced.join().errorCode()).isZero();
        assertThat(new String(synced.join().assignment())).isEqualTo(leader.memberId());
        assertThat(state()).isEqualTo("Stable");
    }

    @Test
    void aGenerationWhoseWriteIsFencedIsAnsweredNotCoordinatorAndTheGroupRebalances() {
        CompletableFuture<JoinGroupResponseData> joining = joinNewMember();
        clock.advance(DELAY_MS);
        JoinGroupResponseData leader = joining.join();
        generations.failNextWrite(new NotCoordinatorException("the slot moved"));

        SyncGroupResponseData synced = sync(leader, leader.members());

        assertThat(synced.errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(state()).isEqualTo("PreparingRebalance");
        assertThat(generations.stored(GROUP)).isEmpty();
    }

    @Test
    void aGroupThatEmptiesHasItsStoredGenerationRemoved() {
        List<JoinGroupResponseData> members = stableGroupOfTwo();
        assertThat(generations.stored(GROUP)).isPresent();

        coordinator.leaveGroup(GROUP, members.stream().map(m -> new MemberIdentity().setMemberId(m.memberId()))
                .toList());

        assertThat(state()).isEqualTo("Empty");
        assertThat(generations.stored(GROUP)).isEmpty();
    }

    /** A static member ("instance-1") alone in a Stable group: its join response. */
    private JoinGroupResponseData stableStaticMember() {
        CompletableFuture<JoinGroupResponseData> first = coordinator.joinGroup(joinRequest("", "instance-1", (byte) 0),
                (short) 9, "client", "h");
        clock.advance(DELAY_MS);
        JoinGroupResponseData old = first.join();
        sync(old, old.members());
        return old;
    }

    private CompletableFuture<JoinGroupResponseData> restartStaticMember() {
        return coordinator.joinGroup(joinRequest("", "instance-1", (byte) 0), (short) 9, "client", "h");
    }

    @Test
    void aRestartedStaticMembersNewIdIsStoredBeforeTheMemberLearnsIt() {
        JoinGroupResponseData old = stableStaticMember();
        generations.holdNextWrite();

        CompletableFuture<JoinGroupResponseData> restarted = restartStaticMember();

        assertThat(restarted).isNotDone();
        assertThat(generations.stored(GROUP).orElseThrow().members()).extracting(StoredMember::memberId)
                .containsExactly(old.memberId());
        generations.releaseFirstHeld();
        assertThat(restarted.join().errorCode()).isZero();
        assertThat(generations.stored(GROUP).orElseThrow().members()).extracting(StoredMember::memberId)
                .containsExactly(restarted.join().memberId());
        assertThat(generations.stored(GROUP).orElseThrow().members()).singleElement()
                .satisfies(member -> assertThat(member.groupInstanceId()).contains("instance-1"));
    }

    @Test
    void aRestartedStaticMemberWhoseNewIdCannotBeStoredGetsTheErrorAndJoinsAgain() {
        stableStaticMember();
        generations.failNextWrite(new CoordinatorNotAvailableException("the database did not answer"));

        assertThat(restartStaticMember().join().errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());

        JoinGroupResponseData again = restartStaticMember().join();
        assertThat(again.errorCode()).isZero();
        assertThat(state()).isEqualTo("Stable");
        assertThat(generations.stored(GROUP).orElseThrow().members()).extracting(StoredMember::memberId)
                .containsExactly(again.memberId());
    }

    /** Generation 7 of {@link #GROUP} with members "leader" and "follower", as another coordinator stored it. */
    private void storedByAnotherCoordinator() {
        generations.put(new StoredGroup(GROUP, 7, "consumer", "range", "leader", List.of(
                new StoredMember("leader", Optional.empty(), "client", "/10.0.0.1", SESSION_MS, REBALANCE_MS,
                        new byte[] {0}, "leader".getBytes()),
                new StoredMember("follower", Optional.empty(), "client", "/10.0.0.2", SESSION_MS, REBALANCE_MS,
                        new byte[] {0}, "follower".getBytes()))));
    }

    private static JoinGroupResponseData member(String memberId, int generation) {
        return new JoinGroupResponseData().setMemberId(memberId).setGenerationId(generation);
    }

    @Test
    void aStoredGenerationIsContinuedMembersGoOnAtItWithoutARebalance() {
        storedByAnotherCoordinator();

        assertThat(coordinator.admit(GROUP).join()).isEqualTo(Errors.NONE);

        assertThat(state()).isEqualTo("Stable");
        assertThat(heartbeat(member("follower", 7))).isEqualTo(Errors.NONE);
        assertThat(error(commit(7, "leader", "t", ""))).isZero();
        assertThat(new String(sync(member("follower", 7), List.of()).assignment())).isEqualTo("follower");
        assertThat(coordinator.describeGroup(GROUP, (short) 5).members()).extracting(m -> m.clientHost())
                .containsExactly("/10.0.0.1", "/10.0.0.2");
    }

    @Test
    void aGenerationOrMemberTheStoredGroupDoesNotKnowIsRefused() {
        storedByAnotherCoordinator();
        coordinator.admit(GROUP).join();

        assertThat(heartbeat(member("leader", 6))).as("older").isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(heartbeat(member("leader", 8))).as("newer").isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(error(commit(8, "leader", "t", ""))).isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(sync(member("follower", 6), List.of()).errorCode()).isEqualTo(Errors.ILLEGAL_GENERATION.code());
        assertThat(heartbeat(member("stranger", 7))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(error(commit(7, "stranger", "t", ""))).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
        assertThat(join("stranger").join().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void aContinuedMemberThatDoesNotHeartbeatIsRemovedAfterItsSessionTimeoutCountedFromTheTakeOver() {
        storedByAnotherCoordinator();
        clock.advance(SESSION_MS); // time that passed before this coordinator took the group over does not count
        coordinator.admit(GROUP).join();

        clock.advance(SESSION_MS - 1);
        assertThat(heartbeat(member("leader", 7))).isEqualTo(Errors.NONE);
        clock.advance(1);

        assertThat(state()).as("the follower's session expired: a rebalance").isEqualTo("PreparingRebalance");
        assertThat(heartbeat(member("follower", 7))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(heartbeat(member("leader", 7))).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void illegalStateTransitionsAreRefused() {
        ClassicGroup group = new ClassicGroup("x", 0, 0);

        assertThatThrownBy(() -> group.transitionTo(GroupState.STABLE, 1)).isInstanceOf(IllegalStateException.class);
        group.transitionTo(GroupState.PREPARING_REBALANCE, 1);
        assertThatThrownBy(() -> group.transitionTo(GroupState.STABLE, 2)).isInstanceOf(IllegalStateException.class);
        group.transitionTo(GroupState.DEAD, 3);
        assertThat(group.state()).isEqualTo(GroupState.DEAD);
    }
}
