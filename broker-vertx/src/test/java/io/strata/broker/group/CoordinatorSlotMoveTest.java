package io.strata.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.index.GroupOffset;
import io.strata.index.RocksDbIndexStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two coordinators (brokers 1 and 2) over one metadata store, the group's coordinator slot moving between them:
 * requests for a group a broker does not coordinate get NOT_COORDINATOR, a broker that lost the slot drops the
 * group (waiting members are told NOT_COORDINATOR), cannot store one more offset or generation, and the new
 * coordinator serves every offset committed before the move and continues the last stored generation (CLUSTER.md
 * rule 10). Manual clocks, no threads.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CoordinatorSlotMoveTest {

    private static final String GROUP = "shipping";
    private static final GroupConfig CONFIG = new GroupConfig(3_000, 1_000, 60_000, 10, 600_000, 60_000, 4096);

    @TempDir
    Path dir;

    private RocksDbIndexStore database;
    private CoordinatorSlotsFixture slots;
    private CoordinatorSlotsFixture.Broker one;
    private CoordinatorSlotsFixture.Broker two;
    private final ManualScheduler clockOne = new ManualScheduler();
    private final ManualScheduler clockTwo = new ManualScheduler();
    private GroupCoordinator coordinatorOne;
    private GroupCoordinator coordinatorTwo;

    @BeforeEach
    void twoBrokersAndTheSlotOnBrokerOne() {
        database = RocksDbIndexStore.open(dir.resolve("index"));
        slots = new CoordinatorSlotsFixture(database.metadata(), 8);
        slots.createTopic("parcels", 2);
        slots.moveSlotOf(GROUP, 1);
        one = slots.broker(1);
        two = slots.broker(2);
        coordinatorOne = coordinator(one, clockOne);
        coordinatorTwo = coordinator(two, clockTwo);
    }

    private GroupCoordinator coordinator(CoordinatorSlotsFixture.Broker broker, ManualScheduler clock) {
        GroupCoordinator coordinator = new GroupCoordinator(clock, CONFIG,
                new MetadataOffsetStorage(slots.store(), broker.leases, broker, Runnable::run),
                new MetadataGroupStateStorage(slots.store(), broker.leases, Runnable::run),
                tp -> broker.idOf(tp.topic()).isPresent(), broker.ownership);
        coordinator.start(List.of());
        return coordinator;
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    /** The slot moves to {@code node}; both brokers learn of it. */
    private void moveSlotTo(int node) {
        slots.moveSlotOf(GROUP, node);
        one.refresh();
        two.refresh();
    }

    private static OffsetCommitRequestData commitRequest(int generation, String memberId, long offset) {
        return new OffsetCommitRequestData().setGroupId(GROUP).setGenerationIdOrMemberEpoch(generation)
                .setMemberId(memberId).setTopics(List.of(new OffsetCommitRequestTopic().setName("parcels")
                        .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(0)
                                .setCommittedOffset(offset)))));
    }

    private static short commitError(OffsetCommitResponseData response) {
        return response.topics().get(0).partitions().get(0).errorCode();
    }

    private static JoinGroupRequestData joinRequest(String memberId) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        return new JoinGroupRequestData().setGroupId(GROUP).setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(30_000).setMemberId(memberId).setProtocolType("consumer")
                .setProtocols(protocols);
    }

    /** A member joined through {@code coordinator}, the rebalance done: its join response. */
    private static JoinGroupResponseData stableMember(GroupCoordinator coordinator, ManualScheduler clock) {
        JoinGroupResponseData member = joinedMember(coordinator, clock);
        coordinator.syncGroup(syncRequest(member), (short) 5).join();
        return member;
    }

    /** A member joined through {@code coordinator}, alone, its SyncGroup not sent yet: its join response. */
    private static JoinGroupResponseData joinedMember(GroupCoordinator coordinator, ManualScheduler clock) {
        JoinGroupResponseData first = coordinator.joinGroup(joinRequest(""), (short) 9, "c", "/h").join();
        CompletableFuture<JoinGroupResponseData> joined = coordinator.joinGroup(joinRequest(first.memberId()),
                (short) 9, "c", "/h");
        clock.advance(CONFIG.initialRebalanceDelayMs());
        return joined.join();
    }

    /** The SyncGroup of {@code member}, as the group's leader, assigning itself "mine". */
    private static SyncGroupRequestData syncRequest(JoinGroupResponseData member) {
        return new SyncGroupRequestData().setGroupId(GROUP).setGenerationId(member.generationId())
                .setMemberId(member.memberId()).setAssignments(List.of(new SyncGroupRequestAssignment()
                        .setMemberId(member.memberId()).setAssignment("mine".getBytes())));
    }

    private static HeartbeatRequestData heartbeat(JoinGroupResponseData member) {
        return new HeartbeatRequestData().setGroupId(GROUP).setGenerationId(member.generationId())
                .setMemberId(member.memberId());
    }

    @Test
    void aBrokerThatDoesNotCoordinateTheGroupAnswersNotCoordinator() {
        assertThat(coordinatorTwo.admit(GROUP).join()).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(coordinatorOne.admit(GROUP).join()).isEqualTo(Errors.NONE);
    }

    @Test
    void aCoordinatorMoveKeepsEveryCommittedOffsetAndTheNewCoordinatorContinuesTheGeneration() {
        JoinGroupResponseData member = stableMember(coordinatorOne, clockOne);
        assertThat(commitError(coordinatorOne.commitOffsets(commitRequest(member.generationId(), member.memberId(),
                42), (short) 9).join())).isZero();

        moveSlotTo(2);

        assertThat(coordinatorTwo.admit(GROUP).join()).isEqualTo(Errors.NONE);
        assertThat(coordinatorTwo.describeGroup(GROUP, (short) 5).groupState())
                .as("continued from its stored generation").isEqualTo("Stable");
        assertThat(coordinatorTwo.heartbeat(heartbeat(member))).isEqualTo(Errors.NONE);
        assertThat(new String(coordinatorTwo.syncGroup(syncRequest(member), (short) 5).join().assignment()))
                .isEqualTo("mine");
        assertThat(commitError(coordinatorTwo.commitOffsets(commitRequest(member.generationId(), member.memberId(),
                43), (short) 9).join())).as("at its generation, without a rebalance").isZero();
        assertThat(coordinatorTwo.fetchOffsets(GROUP).join()).extracting(GroupOffset::offset).containsExactly(43L);
        assertThat(coordinatorTwo.listGroups(List.of(), List.of())).extracting(ListedGroup::groupId)
                .containsExactly(GROUP);
        assertThat(coordinatorOne.listGroups(List.of(), List.of())).as("gone from the old coordinator").isEmpty();
    }

    @Test
    void theOldCoordinatorCannotStoreOneMoreOffsetAfterTheMoveEvenBeforeItLearnsOfIt() {
        JoinGroupResponseData member = stableMember(coordinatorOne, clockOne);
        coordinatorOne.commitOffsets(commitRequest(member.generationId(), member.memberId(), 42), (short) 9).join();

        slots.moveSlotOf(GROUP, 2);
        // Broker 1's view still says it leads the slot: the request is admitted, the database fences the write
        OffsetCommitResponseData late = coordinatorOne.commitOffsets(commitRequest(member.generationId(),
                member.memberId(), 99), (short) 9).join();

        assertThat(commitError(late)).isEqualTo(Errors.NOT_COORDINATOR.code());
        two.refresh();
        assertThat(coordinatorTwo.fetchOffsets(GROUP).join()).extracting(GroupOffset::offset).containsExactly(42L);
    }

    @Test
    void membersWaitingInARebalanceAreToldNotCoordinatorWhenTheSlotMovesAway() {
        JoinGroupResponseData first = coordinatorOne.joinGroup(joinRequest(""), (short) 9, "c", "/h").join();
        CompletableFuture<JoinGroupResponseData> waiting = coordinatorOne.joinGroup(joinRequest(first.memberId()),
                (short) 9, "c", "/h");
        assertThat(waiting).as("in the initial rebalance delay").isNotDone();

        moveSlotTo(2);
        clockOne.advance(GroupCoordinator.OWNERSHIP_CHECK_INTERVAL_MS);

        assertThat(waiting).isDone();
        assertThat(waiting.join().errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(coordinatorOne.admit(GROUP).join()).isEqualTo(Errors.NOT_COORDINATOR);
    }

    @Test
    void aGroupHeldFromBeforeTheSlotMovedAwayAndBackIsDroppedForWhatIsStoredNow() {
        JoinGroupResponseData member = stableMember(coordinatorOne, clockOne);
        coordinatorOne.commitOffsets(commitRequest(member.generationId(), member.memberId(), 42), (short) 9).join();
        moveSlotTo(2);
        // Meanwhile on broker 2 the member leaves: the group empties there, its stored generation is removed
        coordinatorTwo.admit(GROUP).join();
        coordinatorTwo.leaveGroup(GROUP, List.of(new MemberIdentity().setMemberId(member.memberId())));
        slots.moveSlotOf(GROUP, 1);
        // Broker 1 only sees the end result: it leads the slot again, at a later epoch
        one.refresh();

        assertThat(coordinatorOne.admit(GROUP).join()).isEqualTo(Errors.NONE);

        assertThat(coordinatorOne.describeGroup(GROUP, (short) 5).groupState())
                .as("the membership held from the old epoch is gone").isEqualTo("Empty");
        assertThat(coordinatorOne.heartbeat(heartbeat(member))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commitError(coordinatorOne.commitOffsets(commitRequest(member.generationId(), member.memberId(),
                7), (short) 9).join())).isNotZero();
    }

    @Test
    void aLeadersSyncWhoseGenerationCannotBeStoredBecauseTheSlotMovedIsAnsweredNotCoordinator() {
        JoinGroupResponseData leader = joinedMember(coordinatorOne, clockOne);
        slots.moveSlotOf(GROUP, 2);

        // Broker 1's view still says it leads the slot: the sync is handled, the database fences its generation
        SyncGroupResponseData synced = coordinatorOne.syncGroup(syncRequest(leader), (short) 5).join();

        assertThat(synced.errorCode()).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(slots.store().storedGroup(GROUP)).isEmpty();
    }

    @Test
    void aCommitValidatedAgainstAGroupFromAnOlderSlotEpochIsFencedEvenWhenThisBrokerLeadsTheSlotAgain() {
        JoinGroupResponseData zombie = stableMember(coordinatorOne, clockOne);
        slots.moveSlotOf(GROUP, 2);
        two.refresh();
        JoinGroupResponseData member = stableMember(coordinatorTwo, clockTwo);
        coordinatorTwo.commitOffsets(commitRequest(member.generationId(), member.memberId(), 500), (short) 9).join();
        slots.moveSlotOf(GROUP, 1);
        // Broker 1's view skipped epoch 2: it still holds the zombie's group from epoch 1, and the request is
        // admitted just before its view refreshes to epoch 3, at which it leads the slot again
        coordinatorOne.admit(GROUP).join();
        one.refresh();

        OffsetCommitResponseData late = coordinatorOne.commitOffsets(commitRequest(zombie.generationId(),
                zombie.memberId(), 7), (short) 9).join();

        assertThat(commitError(late)).isEqualTo(Errors.NOT_COORDINATOR.code());
        assertThat(coordinatorOne.fetchOffsets(GROUP).join()).extracting(GroupOffset::offset).containsExactly(500L);
    }

    @Test
    void aGroupWhoseSlotHasNoLeaderHasNoCoordinatorAndNoBrokerCoordinatesIt() {
        String orphan = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "group-" + i)
                .filter(group -> !slots.slotOf(group).equals(slots.slotOf(GROUP))).findFirst().orElseThrow();

        assertThat(one.groupCoordinator(orphan)).isEmpty();
        assertThat(one.ownership.coordinatorEpoch(orphan)).isEmpty();
        assertThat(coordinatorOne.admit(orphan).join()).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(one.ownership.coordinatorEpoch(GROUP)).isPresent();
        assertThat(two.ownership.coordinatorEpoch(GROUP)).isEmpty();
    }
}
