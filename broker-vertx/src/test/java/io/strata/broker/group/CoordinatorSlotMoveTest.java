package io.strata.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.index.GroupOffset;
import io.strata.index.RocksDbIndexStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two coordinators (brokers 1 and 2) over one metadata store, the group's coordinator slot moving between them:
 * requests for a group a broker does not coordinate get NOT_COORDINATOR, a broker that lost the slot drops the
 * group (waiting members are told NOT_COORDINATOR and rejoin elsewhere), cannot store one more offset, and the new
 * coordinator serves every offset committed before the move. Manual clocks, no threads.
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
        JoinGroupResponseData first = coordinator.joinGroup(joinRequest(""), (short) 9, "c", "/h").join();
        CompletableFuture<JoinGroupResponseData> joined = coordinator.joinGroup(joinRequest(first.memberId()),
                (short) 9, "c", "/h");
        clock.advance(CONFIG.initialRebalanceDelayMs());
        JoinGroupResponseData member = joined.join();
        coordinator.syncGroup(new SyncGroupRequestData().setGroupId(GROUP).setGenerationId(member.generationId())
                .setMemberId(member.memberId()), (short) 5).join();
        return member;
    }

    @Test
    void aBrokerThatDoesNotCoordinateTheGroupAnswersNotCoordinator() {
        assertThat(coordinatorTwo.admit(GROUP).join()).isEqualTo(Errors.NOT_COORDINATOR);
        assertThat(coordinatorOne.admit(GROUP).join()).isEqualTo(Errors.NONE);
    }

    @Test
    void aCoordinatorMoveKeepsEveryCommittedOffsetAndTheNewCoordinatorKnowsTheGroup() {
        JoinGroupResponseData member = stableMember(coordinatorOne, clockOne);
        assertThat(commitError(coordinatorOne.commitOffsets(commitRequest(member.generationId(), member.memberId(),
                42), (short) 9).join())).isZero();

        moveSlotTo(2);

        assertThat(coordinatorTwo.admit(GROUP).join()).isEqualTo(Errors.NONE);
        assertThat(coordinatorTwo.describeGroup(GROUP, (short) 5).groupState())
                .as("registered from its stored offsets").isEqualTo("Empty");
        assertThat(coordinatorTwo.fetchOffsets(GROUP).join()).extracting(GroupOffset::offset).containsExactly(42L);
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
    void aGroupHeldFromBeforeTheSlotMovedAwayAndBackIsDroppedAndItsMembersRejoin() {
        JoinGroupResponseData member = stableMember(coordinatorOne, clockOne);
        slots.moveSlotOf(GROUP, 2);
        slots.moveSlotOf(GROUP, 1);
        // Broker 1 only sees the end result: it leads the slot again, at a later epoch
        one.refresh();

        assertThat(coordinatorOne.admit(GROUP).join()).isEqualTo(Errors.NONE);

        assertThat(coordinatorOne.describeGroup(GROUP, (short) 5).groupState())
                .as("the membership from the old epoch is gone").isNotEqualTo("Stable");
        assertThat(commitError(coordinatorOne.commitOffsets(commitRequest(member.generationId(), member.memberId(),
                7), (short) 9).join())).isNotZero();
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
