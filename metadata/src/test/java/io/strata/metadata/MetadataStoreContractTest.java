package io.strata.metadata;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MetadataStore} adapter promises, run against each one: registrations and their takeover,
 * draining brokers, the controller lease as a compare-and-set, leadership changes fenced by the controller epoch
 * and the partition's epoch with their history, planned moves (a requested move, the leader's hand-over), offline
 * partitions that remember their last leader, a new incarnation fencing its node id's partitions, topic
 * deletion, growth and config changes, the change version, the committed end fenced by the leader's epoch,
 * write-ahead-log commits (a chain per partition, idempotent after a lost reply, fenced by epoch and by a revoked
 * writer), their release and garbage collection by reference (fenced by the controller epoch), and producer-id
 * blocks that never overlap, and consumer groups' offsets and generations, fenced by their coordinator slot's
 * epoch.
 */
public abstract class MetadataStoreContractTest {

    private static final Duration SESSION = Duration.ofSeconds(30);

    protected MetadataStore store;

    /** A store over an empty database of its own. */
    protected abstract MetadataStore newStore();

    @BeforeEach
    void open() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static BrokerRegistration broker(int nodeId, String host) {
        return new BrokerRegistration(nodeId, UUID.randomUUID(), "PLAINTEXT://" + host + ":9092", Optional.of("rack-a"));
    }

    // ---- brokers -------------------------------------------------------------------------------------------

    @Test
    void aRegisteredBrokerIsListedAndEachHeartbeatMovesItsCount() {
        BrokerRegistration one = broker(1, "one");
        store.register(one, SESSION);
        store.register(broker(2, "two"), SESSION);

        assertThat(store.heartbeat(1, one.incarnation())).isTrue();
        assertThat(store.heartbeat(1, one.incarnation())).isTrue();

        assertThat(store.brokers()).extracting(BrokerState::nodeId).containsExactly(1, 2);
        BrokerState listed = store.brokers().get(0);
        assertThat(listed.registration()).isEqualTo(one);
        assertThat(listed.heartbeats()).isEqualTo(2);
    }

    @Test
    void aSecondIncarnationOfALiveNodeIdIsRefusedAndNamesTheHolder() {
        BrokerRegistration first = broker(1, "first-host");
        store.register(first, SESSION);

        assertThatThrownBy(() -> store.register(broker(1, "second-host"), SESSION))
                .isInstanceOf(NodeIdInUseException.class)
                .hasMessageContaining("node id 1", "PLAINTEXT://first-host:9092", first.incarnation().toString());
        assertThat(store.heartbeat(1, first.incarnation())).isTrue();
        store.register(first, SESSION); // the same incarnation again: fine
        assertThat(store.brokers()).singleElement().extracting(BrokerState::registration).isEqualTo(first);
    }

    /** Registers {@code replacement} once its node id's holder has not renewed for 200 ms (the database's clock). */
    private void registerOnceExpired(BrokerRegistration replacement) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .ignoreException(NodeIdInUseException.class)
                .until(() -> {
                    store.register(replacement, Duration.ofMillis(200));
                    return true;
                });
    }

    @Test
    void aNodeIdWhoseHolderStoppedRenewingIsTakenOverAndTheOldIncarnationLearnsIt() {
        BrokerRegistration old = broker(1, "old");
        store.register(old, SESSION);
        long before = store.brokers().get(0).heartbeats();

        // Refused until the old incarnation has not renewed for 200 ms, judged by the database's clock
        BrokerRegistration replacement = broker(1, "new");
        registerOnceExpired(replacement);

        assertThat(store.heartbeat(1, old.incarnation())).as("the old incarnation is told it was replaced").isFalse();
        assertThat(store.brokers()).singleElement().satisfies(state -> {
            assertThat(state.registration()).isEqualTo(replacement);
            assertThat(state.heartbeats()).as("the count moves on a takeover").isGreaterThan(before);
        });
        store.unregister(1, old.incarnation()); // not the holder: nothing
        assertThat(store.brokers()).hasSize(1);
        store.unregister(1, replacement.incarnation());
        assertThat(store.brokers()).isEmpty();
    }

    @Test
    void aDrainingIncarnationIsListedDrainingAsLongAsItsRegistrationLasts() {
        BrokerRegistration one = broker(1, "one");
        store.register(one, SESSION);
        store.register(broker(2, "two"), SESSION);
        assertThat(store.brokers()).noneMatch(BrokerState::draining);

        assertThat(store.drain(1, one.incarnation())).isTrue();
        assertThat(store.drain(1, one.incarnation())).as("again (a retried call)").isTrue();
        assertThat(store.drain(1, UUID.randomUUID())).as("not this incarnation's").isFalse();
        assertThat(store.drain(3, UUID.randomUUID())).as("not registered").isFalse();

        assertThat(store.heartbeat(1, one.incarnation())).isTrue();
        store.register(one, SESSION); // the same incarnation again
        assertThat(store.brokers()).extracting(BrokerState::nodeId, BrokerState::draining)
                .containsExactly(tuple(1, true), tuple(2, false));
        assertThat(store.brokers().get(0).registration()).isEqualTo(one);
    }

    @Test
    void aNewIncarnationOfADrainedNodeIdStartsNotDraining() {
        BrokerRegistration old = broker(1, "old");
        store.register(old, SESSION);
        store.drain(1, old.incarnation());

        BrokerRegistration replacement = broker(1, "new");
        registerOnceExpired(replacement);
        assertThat(store.brokers()).singleElement().satisfies(state -> {
            assertThat(state.registration()).isEqualTo(replacement);
            assertThat(state.draining()).isFalse();
        });
        assertThat(store.drain(1, old.incarnation())).as("the replaced incarnation").isFalse();
        assertThat(store.brokers().get(0).draining()).isFalse();

        // A clean shutdown removes the mark with the registration; registering again starts afresh
        assertThat(store.drain(1, replacement.incarnation())).isTrue();
        store.unregister(1, replacement.incarnation());
        store.register(replacement, SESSION);
        assertThat(store.brokers().get(0).draining()).isFalse();
    }

    // ---- controller lease ----------------------------------------------------------------------------------

    @Test
    void theControllerLeaseIsACompareAndSetOnWhatTheClaimantSaw() {
        UUID one = UUID.randomUUID();
        UUID two = UUID.randomUUID();
        assertThat(store.controller()).isEmpty();

        assertThat(store.claimController(1, one, Optional.empty())).hasValue(1);
        assertThat(store.claimController(2, two, Optional.empty())).as("someone holds it already").isEmpty();
        ControllerState seen = store.controller().orElseThrow();
        assertThat(seen).isEqualTo(new ControllerState(1, 1, one, 0));

        // The holder renews: a claim on the stale view fails
        assertThat(store.renewController(1, one, 1)).isTrue();
        assertThat(store.claimController(2, two, Optional.of(seen))).isEmpty();
        assertThat(store.renewController(2, two, 1)).as("not the holder").isFalse();

        // Renewals stop: a claim on the current view wins with the next epoch, and fences the old holder
        ControllerState stalled = store.controller().orElseThrow();
        assertThat(store.claimController(2, two, Optional.of(stalled))).hasValue(2);
        assertThat(store.renewController(1, one, 1)).isFalse();
        assertThat(store.controller()).hasValueSatisfying(state -> {
            assertThat(state.epoch()).isEqualTo(2);
            assertThat(state.nodeId()).isEqualTo(2);
        });
    }

    // ---- topics and leadership -----------------------------------------------------------------------------

    @Test
    void aTopicIsCreatedOnceByNameAndByIdWithLeaderlessPartitions() {
        TopicDefinition orders = new TopicDefinition(UUID.randomUUID(), "orders", 3, Map.of("segment.ms", "60000"));

        assertThat(store.createTopic(orders)).isTrue();
        assertThat(store.createTopic(new TopicDefinition(UUID.randomUUID(), "orders", 1, Map.of()))).isFalse();
        assertThat(store.createTopic(new TopicDefinition(orders.topicId(), "other", 1, Map.of()))).isFalse();

        assertThat(store.topics()).containsExactly(orders);
        assertThat(store.leadership()).hasSize(3).allSatisfy(leadership -> {
            assertThat(leadership.partition().topicId()).isEqualTo(orders.topicId());
            assertThat(leadership.hasLeader()).isFalse();
            assertThat(leadership.leaderEpoch()).isZero();
        });
        assertThat(store.committedEnd(new TopicPartitionId(orders.topicId(), 2))).isZero();
    }

    @Test
    void electingALeaderBumpsTheEpochRecordsWhereItStartsAndIsFencedByBothEpochs() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(tp.topicId(), "orders", 1, Map.of()));
        long controllerEpoch = store.claimController(7, UUID.randomUUID(), Optional.empty()).orElseThrow();

        assertThat(store.electLeader(controllerEpoch, tp, 0, 1)).hasValue(new PartitionLeadership(tp, 1, 1));
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 120)).isTrue();

        // A stale partition epoch or a stale controller epoch decides nothing
        assertThat(store.electLeader(controllerEpoch, tp, 0, 2)).isEmpty();
        assertThat(store.electLeader(controllerEpoch + 1, tp, 1, 2)).isEmpty();
        assertThat(store.leadership()).singleElement().isEqualTo(new PartitionLeadership(tp, 1, 1));

        // A move: the new epoch starts at the committed end
        assertThat(store.electLeader(controllerEpoch, tp, 1, 2)).hasValue(new PartitionLeadership(tp, 2, 2));
        assertThat(store.epochHistory(tp)).containsExactly(new EpochStart(1, 0, 1), new EpochStart(2, 120, 2));
    }

    @Test
    void theCommittedEndNeverMovesBackAndMovesOnlyForTheLeaderAtItsEpoch() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(tp.topicId(), "orders", 1, Map.of()));
        long controllerEpoch = store.claimController(7, UUID.randomUUID(), Optional.empty()).orElseThrow();
        store.electLeader(controllerEpoch, tp, 0, 1);

        assertThat(store.advanceCommittedEnd(tp, 1, 1, 100)).isTrue();
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 100)).as("the same end again (a retried commit)").isTrue();
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 50)).as("an upload below the committed end: confirmed")
                .isTrue();
        assertThat(store.advanceCommittedEnd(tp, 2, 1, 150)).as("not the leader").isFalse();
        assertThat(store.advanceCommittedEnd(tp, 1, 0, 150)).as("a stale epoch").isFalse();
        assertThat(store.committedEnd(tp)).isEqualTo(100);

        store.electLeader(controllerEpoch, tp, 1, 2);
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 200)).as("the old leader, after the move").isFalse();
        assertThat(store.advanceCommittedEnd(tp, 2, 2, 200)).isTrue();
    }

    // ---- planned moves, offline partitions -----------------------------------------------------------------

    private static final int NONE = PartitionLeadership.NO_LEADER;

    /** A one-partition topic led by broker 1 at epoch 1, committed up to 100; returns the controller epoch. */
    private long ledByOne(TopicPartitionId tp) {
        store.createTopic(new TopicDefinition(tp.topicId(), "orders", 1, Map.of()));
        long controllerEpoch = store.claimController(7, UUID.randomUUID(), Optional.empty()).orElseThrow();
        store.electLeader(controllerEpoch, tp, 0, 1).orElseThrow();
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 100)).isTrue();
        return controllerEpoch;
    }

    private PartitionLeadership leadershipOf(TopicPartitionId tp) {
        return store.leadership().stream().filter(p -> p.partition().equals(tp)).findFirst().orElseThrow();
    }

    @Test
    void electingALeaderMakesItTheLastLeaderAndRecordsItInTheHistory() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        ledByOne(tp);

        assertThat(leadershipOf(tp)).isEqualTo(new PartitionLeadership(tp, 1, 1, NONE, 1));
        assertThat(leadershipOf(tp).moving()).isFalse();
        assertThat(store.epochHistory(tp)).containsExactly(new EpochStart(1, 0, 1));
    }

    @Test
    void aRequestedMoveRecordsTheTargetWithoutBumpingTheEpochAndIsFencedByBothEpochs() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        long controllerEpoch = ledByOne(tp);

        assertThat(store.requestMove(controllerEpoch, tp, 0, 2)).as("a stale partition epoch").isFalse();
        assertThat(store.requestMove(controllerEpoch - 1, tp, 1, 2)).as("a stale controller epoch").isFalse();
        assertThat(store.leadership()).singleElement().extracting(PartitionLeadership::moving).isEqualTo(false);

        assertThat(store.requestMove(controllerEpoch, tp, 1, 2)).isTrue();
        assertThat(leadershipOf(tp)).isEqualTo(new PartitionLeadership(tp, 1, 1, 2, 1));
        assertThat(leadershipOf(tp).moving()).isTrue();
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 130)).as("the leader still leads until it hands over").isTrue();
        assertThat(store.epochHistory(tp)).hasSize(1);

        // The controller changes its mind, then withdraws the request (a target equal to the leader)
        assertThat(store.requestMove(controllerEpoch, tp, 1, 3)).isTrue();
        assertThat(leadershipOf(tp).targetLeader()).isEqualTo(3);
        assertThat(store.requestMove(controllerEpoch, tp, 1, 1)).isTrue();
        assertThat(leadershipOf(tp)).isEqualTo(new PartitionLeadership(tp, 1, 1, NONE, 1));
    }

    @Test
    void aLeaderlessPartitionCannotBeAskedToMove() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(tp.topicId(), "orders", 1, Map.of()));
        long controllerEpoch = store.claimController(7, UUID.randomUUID(), Optional.empty()).orElseThrow();

        assertThat(store.requestMove(controllerEpoch, tp, 0, 2)).isFalse();
        assertThat(leadershipOf(tp).moving()).isFalse();
    }

    @Test
    void aHandOverGivesTheTargetTheNextEpochStartingAtTheUploadedEnd() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        long controllerEpoch = ledByOne(tp);
        store.requestMove(controllerEpoch, tp, 1, 2);

        assertThat(store.handOver(tp, 1, 1, 150, 2)).hasValue(new PartitionLeadership(tp, 2, 2, NONE, 2));

        assertThat(leadershipOf(tp)).isEqualTo(new PartitionLeadership(tp, 2, 2, NONE, 2));
        assertThat(store.committedEnd(tp)).isEqualTo(150);
        assertThat(store.epochHistory(tp)).containsExactly(new EpochStart(1, 0, 1), new EpochStart(2, 150, 2));
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 160)).as("the old leader is fenced").isFalse();
        assertThat(store.advanceCommittedEnd(tp, 2, 2, 160)).isTrue();
    }

    @Test
    void aHandOverIsFencedByTheLeaderAndItsEpoch() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        ledByOne(tp);

        assertThat(store.handOver(tp, 2, 1, 150, 3)).as("not the leader").isEmpty();
        assertThat(store.handOver(tp, 1, 0, 150, 3)).as("a stale epoch").isEmpty();
        assertThat(leadershipOf(tp)).isEqualTo(new PartitionLeadership(tp, 1, 1, NONE, 1));
        assertThat(store.committedEnd(tp)).as("a fenced hand-over commits nothing").isEqualTo(100);

        assertThat(store.handOver(tp, 1, 1, 100, 3)).isPresent();
        assertThat(store.handOver(tp, 1, 1, 200, 2)).as("the same hand-over twice").isEmpty();
        assertThat(leadershipOf(tp).leader()).isEqualTo(3);
        assertThat(store.committedEnd(tp)).isEqualTo(100);
    }

    @Test
    void aHandOverNeverMovesTheCommittedEndBackwards() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        ledByOne(tp);
        store.advanceCommittedEnd(tp, 1, 1, 200);

        store.handOver(tp, 1, 1, 150, 2).orElseThrow();

        assertThat(store.committedEnd(tp)).isEqualTo(200);
        assertThat(store.epochHistory(tp)).last().isEqualTo(new EpochStart(2, 200, 2));
    }

    @Test
    void aReleaseLeavesThePartitionLeaderlessWithoutALastLeaderSoAnyBrokerMayTakeIt() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        long controllerEpoch = ledByOne(tp);

        assertThat(store.handOver(tp, 1, 1, 120, NONE)).hasValue(new PartitionLeadership(tp, NONE, 2, NONE, NONE));
        assertThat(store.epochHistory(tp)).last().isEqualTo(new EpochStart(2, 120, NONE));
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 130)).isFalse();

        assertThat(store.electLeader(controllerEpoch, tp, 2, 3)).hasValue(new PartitionLeadership(tp, 3, 3, NONE, 3));
        assertThat(store.epochHistory(tp)).last().isEqualTo(new EpochStart(3, 120, 3));
    }

    @Test
    void takingADeadLeadersPartitionOfflineKeepsItsLastLeaderAndIsFencedByBothEpochs() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        long controllerEpoch = ledByOne(tp);
        store.requestMove(controllerEpoch, tp, 1, 2);

        assertThat(store.takeOffline(controllerEpoch, tp, 0)).as("a stale partition epoch").isEmpty();
        assertThat(store.takeOffline(controllerEpoch - 1, tp, 1)).as("a stale controller epoch").isEmpty();
        assertThat(leadershipOf(tp).leader()).isEqualTo(1);

        assertThat(store.takeOffline(controllerEpoch, tp, 1)).hasValue(new PartitionLeadership(tp, NONE, 2, NONE, 1));
        assertThat(leadershipOf(tp)).isEqualTo(new PartitionLeadership(tp, NONE, 2, NONE, 1));
        assertThat(store.epochHistory(tp)).containsExactly(new EpochStart(1, 0, 1), new EpochStart(2, 100, NONE));
        assertThat(store.advanceCommittedEnd(tp, 1, 1, 130)).as("the dead leader is fenced").isFalse();
        assertThat(store.handOver(tp, 1, 1, 130, 2)).as("and cannot hand over").isEmpty();
        assertThat(store.takeOffline(controllerEpoch, tp, 2)).as("already leaderless").isEmpty();

        // The last leader comes back and gets it again
        assertThat(store.electLeader(controllerEpoch, tp, 2, 1)).hasValue(new PartitionLeadership(tp, 1, 3, NONE, 1));
    }

    @Test
    void aHandOverRacingTheControllerTakingThePartitionOfflineHasExactlyOneWinner() throws Exception {
        long controllerEpoch = store.claimController(7, UUID.randomUUID(), Optional.empty()).orElseThrow();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
                store.createTopic(new TopicDefinition(tp.topicId(), "race-" + round, 1, Map.of()));
                store.electLeader(controllerEpoch, tp, 0, 1).orElseThrow();
                CountDownLatch start = new CountDownLatch(1);
                Future<Optional<PartitionLeadership>> handOver = threads.submit(() -> {
                    start.await();
                    return store.handOver(tp, 1, 1, 0, 2);
                });
                Future<Optional<PartitionLeadership>> offline = threads.submit(() -> {
                    start.await();
                    return store.takeOffline(controllerEpoch, tp, 1);
                });
                start.countDown();

                assertThat(handOver.get().isPresent() ^ offline.get().isPresent()).as("round %d", round).isTrue();
                assertThat(leadershipOf(tp).leaderEpoch()).isEqualTo(2);
                assertThat(store.epochHistory(tp)).hasSize(2);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aNewIncarnationOfANodeIdMovesEveryPartitionItLedToTheNextEpoch() {
        BrokerRegistration old = broker(1, "old");
        store.register(old, SESSION);
        UUID topic = UUID.randomUUID();
        TopicPartitionId p0 = new TopicPartitionId(topic, 0);
        TopicPartitionId p1 = new TopicPartitionId(topic, 1);
        TopicPartitionId p2 = new TopicPartitionId(topic, 2);
        store.createTopic(new TopicDefinition(topic, "orders", 3, Map.of()));
        long controllerEpoch = store.claimController(7, UUID.randomUUID(), Optional.empty()).orElseThrow();
        store.electLeader(controllerEpoch, p0, 0, 1);
        store.electLeader(controllerEpoch, p1, 0, 1);
        store.electLeader(controllerEpoch, p2, 0, 2);
        store.advanceCommittedEnd(p0, 1, 1, 70);
        store.requestMove(controllerEpoch, p1, 1, 3);

        BrokerRegistration replacement = broker(1, "new");
        registerOnceExpired(replacement);

        assertThat(store.leadership()).containsExactly(
                new PartitionLeadership(p0, 1, 2, NONE, 1),
                new PartitionLeadership(p1, 1, 2, NONE, 1),
                new PartitionLeadership(p2, 2, 1, NONE, 2));
        assertThat(store.epochHistory(p0)).last().isEqualTo(new EpochStart(2, 70, 1));
        assertThat(store.advanceCommittedEnd(p0, 1, 1, 80)).as("the previous incarnation's epoch is fenced").isFalse();
        assertThat(store.handOver(p1, 1, 1, 0, 3)).isEmpty();

        store.register(replacement, SESSION); // the same incarnation again: nothing moves
        assertThat(leadershipOf(p0).leaderEpoch()).isEqualTo(2);
    }

    // ---- topic changes -------------------------------------------------------------------------------------

    @Test
    void aDeletedTopicTakesItsPartitionsHistoryAndCommittedOffsetsWithIt() {
        TopicPartitionId slot = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(slot.topicId(), "__consumer_offsets", 1, Map.of()));
        TopicPartitionId orders = new TopicPartitionId(UUID.randomUUID(), 0);
        TopicPartitionId payments = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(orders.topicId(), "orders", 2, Map.of()));
        store.createTopic(new TopicDefinition(payments.topicId(), "payments", 1, Map.of()));
        long controllerEpoch = store.claimController(1, UUID.randomUUID(), Optional.empty()).orElseThrow();
        store.electLeader(controllerEpoch, slot, 0, 1);
        store.electLeader(controllerEpoch, orders, 0, 1);
        store.commitOffsets(slot, 1, 1, List.of(new CommittedOffset("billing", orders, 5, 1, "", 1000),
                new CommittedOffset("billing", payments, 6, 1, "", 1000)));

        assertThat(store.deleteTopic(orders.topicId())).isTrue();

        assertThat(store.topics()).extracting(TopicDefinition::name).containsExactly("__consumer_offsets", "payments");
        assertThat(store.leadership()).extracting(p -> p.partition().topicId()).doesNotContain(orders.topicId());
        assertThat(store.epochHistory(orders)).isEmpty();
        assertThat(store.committedOffsets("billing")).extracting(CommittedOffset::partition).containsExactly(payments);
        assertThat(store.deleteTopic(orders.topicId())).as("already gone").isFalse();
        assertThat(store.createTopic(new TopicDefinition(UUID.randomUUID(), "orders", 1, Map.of())))
                .as("the name is free again").isTrue();
    }

    @Test
    void partitionsAreAddedLeaderlessAndOnlyAboveTheCurrentCount() {
        UUID topic = UUID.randomUUID();
        store.createTopic(new TopicDefinition(topic, "orders", 2, Map.of("retention.ms", "1000")));

        assertThat(store.addPartitions(topic, 2)).as("not larger").isFalse();
        assertThat(store.addPartitions(topic, 1)).as("smaller").isFalse();
        assertThat(store.addPartitions(UUID.randomUUID(), 5)).as("no such topic").isFalse();
        assertThat(store.addPartitions(topic, 4)).isTrue();

        assertThat(store.topics()).containsExactly(new TopicDefinition(topic, "orders", 4, Map.of("retention.ms", "1000")));
        assertThat(store.leadership()).hasSize(4).allSatisfy(p -> {
            assertThat(p.hasLeader()).isFalse();
            assertThat(p.leaderEpoch()).isZero();
            assertThat(p.lastLeader()).isEqualTo(NONE);
        });
        assertThat(store.committedEnd(new TopicPartitionId(topic, 3))).isZero();
    }

    @Test
    void alteringATopicsConfigsReplacesTheWholeSet() {
        UUID topic = UUID.randomUUID();
        store.createTopic(new TopicDefinition(topic, "orders", 1, Map.of("retention.ms", "1000", "segment.ms", "5")));

        assertThat(store.alterTopicConfigs(topic, Map.of("segment.ms", "7", "cleanup.policy", "delete"))).isTrue();
        assertThat(store.alterTopicConfigs(UUID.randomUUID(), Map.of())).isFalse();

        assertThat(store.topics()).singleElement().extracting(TopicDefinition::configs)
                .isEqualTo(Map.of("segment.ms", "7", "cleanup.policy", "delete"));
    }

    // ---- the change version --------------------------------------------------------------------------------

    private void assertMoves(String what, Runnable change) {
        long before = store.changeVersion();
        change.run();
        assertThat(store.changeVersion()).as(what + " moves the change version").isGreaterThan(before);
    }

    private void assertStill(String what, Runnable change) {
        long before = store.changeVersion();
        change.run();
        assertThat(store.changeVersion()).as(what + " leaves the change version").isEqualTo(before);
    }

    @Test
    void theChangeVersionMovesWithEveryChangeOfTopicsLeadershipBrokersAndControllerButNotWithHeartbeats() {
        BrokerRegistration one = broker(1, "one");
        UUID controllerIncarnation = UUID.randomUUID();
        UUID topic = UUID.randomUUID();
        TopicPartitionId tp = new TopicPartitionId(topic, 0);
        TopicPartitionId slot = new TopicPartitionId(topic, 1);
        long[] controllerEpoch = new long[1];

        assertMoves("a registration", () -> store.register(one, SESSION));
        assertStill("the same incarnation registering again", () -> store.register(one, SESSION));
        assertStill("a heartbeat", () -> store.heartbeat(1, one.incarnation()));
        assertMoves("a broker draining", () -> assertThat(store.drain(1, one.incarnation())).isTrue());
        assertStill("draining again", () -> store.drain(1, one.incarnation()));
        assertStill("a refused drain", () -> store.drain(1, UUID.randomUUID()));
        assertMoves("a topic's creation", () -> store.createTopic(new TopicDefinition(topic, "orders", 2, Map.of())));
        assertStill("a refused creation", () -> store.createTopic(new TopicDefinition(topic, "orders", 2, Map.of())));
        assertMoves("a controller claim", () ->
                controllerEpoch[0] = store.claimController(1, controllerIncarnation, Optional.empty()).orElseThrow());
        assertStill("a controller renewal", () -> store.renewController(1, controllerIncarnation, controllerEpoch[0]));
        assertMoves("an election", () -> store.electLeader(controllerEpoch[0], tp, 0, 1).orElseThrow());
        assertStill("a fenced election", () -> store.electLeader(controllerEpoch[0], tp, 0, 2));
        assertStill("a commit", () -> store.advanceCommittedEnd(tp, 1, 1, 10));
        store.electLeader(controllerEpoch[0], slot, 0, 1);
        assertStill("committed offsets", () -> store.commitOffsets(slot, 1, 1,
                List.of(new CommittedOffset("g", tp, 3, 1, "", 1))));
        assertStill("producer ids", () -> store.allocateProducerIds(10));
        assertMoves("a requested move", () -> assertThat(store.requestMove(controllerEpoch[0], tp, 1, 2)).isTrue());
        assertStill("a fenced request", () -> store.requestMove(controllerEpoch[0], tp, 0, 2));
        assertMoves("a hand-over", () -> store.handOver(tp, 1, 1, 10, 2).orElseThrow());
        assertStill("a fenced hand-over", () -> store.handOver(tp, 1, 1, 10, 2));
        assertMoves("taking a partition offline", () -> store.takeOffline(controllerEpoch[0], tp, 2).orElseThrow());
        assertStill("a fenced offline", () -> store.takeOffline(controllerEpoch[0], tp, 2));
        assertMoves("new configs", () -> store.alterTopicConfigs(topic, Map.of("retention.ms", "5")));
        assertMoves("new partitions", () -> store.addPartitions(topic, 3));
        assertMoves("a topic's deletion", () -> store.deleteTopic(topic));
        assertStill("deleting what is gone", () -> store.deleteTopic(topic));
        assertMoves("an unregistration", () -> store.unregister(1, one.incarnation()));
        assertStill("unregistering what is gone", () -> store.unregister(1, one.incarnation()));
    }

    // ---- committed offsets ---------------------------------------------------------------------------------

    @Test
    void offsetsAreCommittedOnlyByTheLeaderOfTheGroupsSlotAtItsEpochAndSurviveItsMove() {
        TopicPartitionId slot = new TopicPartitionId(UUID.randomUUID(), 7);
        store.createTopic(new TopicDefinition(slot.topicId(), "__consumer_offsets", 8, Map.of()));
        TopicPartitionId orders0 = new TopicPartitionId(UUID.randomUUID(), 0);
        TopicPartitionId orders1 = new TopicPartitionId(orders0.topicId(), 1);
        long controller = store.claimController(1, UUID.randomUUID(), Optional.empty()).orElseThrow();
        store.electLeader(controller, slot, 0, 1);
        String group = "billing/eu team"; // any string is a group id

        assertThat(store.commitOffsets(slot, 1, 1, List.of(
                new CommittedOffset(group, orders1, 40, 3, "m1", 1000),
                new CommittedOffset(group, orders0, 10, 3, "", 1000)))).isTrue();
        assertThat(store.commitOffsets(slot, 1, 1, List.of(new CommittedOffset(group, orders0, 12, 4, "m2", 2000))))
                .isTrue();
        assertThat(store.commitOffsets(slot, 2, 1, List.of(new CommittedOffset(group, orders0, 99, 4, "", 3000))))
                .as("not the slot's leader").isFalse();
        assertThat(store.committedOffsets(group)).containsExactly(
                new CommittedOffset(group, orders0, 12, 4, "m2", 2000),
                new CommittedOffset(group, orders1, 40, 3, "m1", 1000));
        assertThat(store.committedOffsets("other")).isEmpty();

        // The slot moves: the old coordinator is fenced, the new one sees every offset and commits on
        store.electLeader(controller, slot, 1, 2);
        assertThat(store.commitOffsets(slot, 1, 1, List.of(new CommittedOffset(group, orders0, 13, 4, "", 4000))))
                .isFalse();
        assertThat(store.committedOffsets(group)).hasSize(2);
        assertThat(store.commitOffsets(slot, 2, 2, List.of(new CommittedOffset(group, orders0, 14, 4, "", 5000))))
                .isTrue();

        assertThat(store.deleteOffsets(slot, 1, 1, group, List.of())).as("fenced").isFalse();
        assertThat(store.deleteOffsets(slot, 2, 2, group, List.of(orders1))).isTrue();
        assertThat(store.committedOffsets(group)).extracting(CommittedOffset::partition).containsExactly(orders0);
        assertThat(store.deleteOffsets(slot, 2, 2, group, List.of())).isTrue();
        assertThat(store.committedOffsets(group)).isEmpty();
    }

    // ---- generations of consumer groups -----------------------------------------------------------------------

    private static StoredMember member(String memberId, Optional<String> instanceId, byte[] assignment) {
        return new StoredMember(memberId, instanceId, "client-" + memberId, "/10.0.0." + memberId.length(), 45_000,
                300_000, new byte[] {0, 1, 2, (byte) 0xff}, assignment);
    }

    private static StoredGroup generation(String group, int generation, StoredMember... members) {
        return new StoredGroup(group, generation, "consumer", "range", members[0].memberId(), List.of(members));
    }

    /** The coordinator slot {@code partition} of a fresh {@code __consumer_offsets}, led by broker 1 at epoch 1. */
    private TopicPartitionId slotLedByOne(long controllerEpoch, int partition) {
        TopicPartitionId slot = new TopicPartitionId(UUID.randomUUID(), partition);
        store.createTopic(new TopicDefinition(slot.topicId(), "__consumer_offsets", 8, Map.of()));
        store.electLeader(controllerEpoch, slot, 0, 1).orElseThrow();
        return slot;
    }

    @Test
    void aGroupsGenerationIsStoredOnlyByTheLeaderOfItsSlotAtItsEpochAndReadBackAsWritten() {
        TopicPartitionId slot = slotLedByOne(controller(), 7);
        String group = "billing/eu team"; // any string is a group id
        StoredGroup written = generation(group, 3, member("m-1", Optional.empty(), new byte[] {9, 8}),
                member("static-m-2", Optional.of("instance-2"), new byte[0]));

        assertThat(store.storeGroup(slot, 1, 1, written)).isTrue();
        assertThat(store.storeGroup(slot, 2, 1, generation(group, 4, member("x", Optional.empty(), new byte[0]))))
                .as("not the slot's leader").isFalse();
        assertThat(store.storeGroup(slot, 1, 2, generation(group, 4, member("x", Optional.empty(), new byte[0]))))
                .as("not the slot's epoch").isFalse();

        assertThat(store.storedGroup(group)).contains(written);
        assertThat(store.storedGroup(group).orElseThrow().members()).extracting(StoredMember::memberId)
                .as("in join order").containsExactly("m-1", "static-m-2");
        assertThat(store.storedGroups(slot)).containsExactly(written);
        assertThat(store.storedGroup("other")).isEmpty();
    }

    @Test
    void aNewerSlotEpochReplacesTheStoredGenerationAndTheOldCoordinatorIsFenced() {
        long controller = controller();
        TopicPartitionId slot = slotLedByOne(controller, 2);
        String group = "shipping";
        store.storeGroup(slot, 1, 1, generation(group, 5, member("a", Optional.empty(), new byte[] {1}),
                member("b", Optional.empty(), new byte[] {2})));

        // The slot moves to broker 2 (epoch 2): the old coordinator can neither store nor delete any more
        store.electLeader(controller, slot, 1, 2).orElseThrow();
        StoredGroup next = generation(group, 6, member("b", Optional.empty(), new byte[] {1, 2}));
        assertThat(store.storeGroup(slot, 1, 1, generation(group, 6, member("a", Optional.empty(), new byte[0]))))
                .isFalse();
        assertThat(store.deleteStoredGroup(slot, 1, 1, group)).isFalse();
        assertThat(store.storedGroup(group).orElseThrow().generation()).as("what broker 1 stored before").isEqualTo(5);

        assertThat(store.storeGroup(slot, 2, 2, next)).isTrue();
        assertThat(store.storedGroup(group)).as("replaced, member a gone").contains(next);
    }

    @Test
    void aDeletedGenerationIsGoneAndDeletingNothingIsNoFailure() {
        TopicPartitionId slot = slotLedByOne(controller(), 0);
        store.storeGroup(slot, 1, 1, generation("g1", 1, member("a", Optional.empty(), new byte[0])));

        assertThat(store.deleteStoredGroup(slot, 1, 1, "g1")).isTrue();
        assertThat(store.deleteStoredGroup(slot, 1, 1, "never-stored")).isTrue();

        assertThat(store.storedGroup("g1")).isEmpty();
        assertThat(store.storedGroups(slot)).isEmpty();
    }

    @Test
    void theGroupsOfASlotAreListedInGroupIdOrderAndOnlyUnderTheirSlot() {
        long controller = controller();
        TopicPartitionId slot = slotLedByOne(controller, 3);
        TopicPartitionId otherSlot = new TopicPartitionId(slot.topicId(), 4);
        store.electLeader(controller, otherSlot, 0, 1).orElseThrow();
        StoredGroup zulu = generation("zulu", 2, member("z1", Optional.empty(), new byte[0]));
        StoredGroup alpha = generation("alpha", 9, member("a1", Optional.empty(), new byte[0]),
                member("a2", Optional.empty(), new byte[] {7}));
        StoredGroup elsewhere = generation("elsewhere", 1, member("e1", Optional.empty(), new byte[0]));
        store.storeGroup(slot, 1, 1, zulu);
        store.storeGroup(slot, 1, 1, alpha);
        store.storeGroup(otherSlot, 1, 1, elsewhere);

        assertThat(store.storedGroups(slot)).containsExactly(alpha, zulu);
        assertThat(store.storedGroups(otherSlot)).containsExactly(elsewhere);
    }

    // ---- write-ahead log -----------------------------------------------------------------------------------

    private static final UUID WRITER = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    /** Creates topic {@code name} with {@code partitions} partitions, each led by broker 1 at epoch 1. */
    private List<TopicPartitionId> ledByOne(long controllerEpoch, String name, int partitions) {
        UUID topicId = UUID.randomUUID();
        store.createTopic(new TopicDefinition(topicId, name, partitions, Map.of()));
        List<TopicPartitionId> led = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            TopicPartitionId tp = new TopicPartitionId(topicId, p);
            store.electLeader(controllerEpoch, tp, 0, 1).orElseThrow();
            led.add(tp);
        }
        return led;
    }

    private long controller() {
        return store.claimController(1, UUID.randomUUID(), Optional.empty()).orElseThrow();
    }

    /** A range of {@code key} with one batch per offset, of producer 7 (sequence = offset). */
    private static WalRange range(String key, TopicPartitionId tp, int epoch, long base, long end) {
        List<WalBatch> batches = new ArrayList<>();
        for (long offset = base; offset < end; offset++) {
            batches.add(new WalBatch(offset, offset, 7, (short) 2, (int) offset, (int) offset, 1_000 + offset));
        }
        return new WalRange(tp, epoch, base, end, key, 64 + base * 10, (int) (end - base) * 10, batches);
    }

    private static WalObjectCommit walObject(String key, WalRange... ranges) {
        return walObject(key, WRITER, ranges);
    }

    private static WalObjectCommit walObject(String key, UUID writer, WalRange... ranges) {
        return new WalObjectCommit(key, 1, writer, 4096, List.of(ranges));
    }

    private static String walKey(long sequence) {
        return "wal/1/" + WRITER + "/" + String.format("%020d", sequence) + ".wal";
    }

    @Test
    void walObjectsCommitAsAChainInOffsetOrderAndMoveEachCommittedEnd() {
        List<TopicPartitionId> tps = ledByOne(controller(), "orders", 2);
        TopicPartitionId p0 = tps.get(0);
        TopicPartitionId p1 = tps.get(1);

        assertThat(store.commitWal(walObject(walKey(0), range(walKey(0), p1, 1, 0, 3), range(walKey(0), p0, 1, 0, 5))))
                .containsOnly(Map.entry(p0, WalCommitOutcome.COMMITTED), Map.entry(p1, WalCommitOutcome.COMMITTED));
        assertThat(store.commitWal(walObject(walKey(1), range(walKey(1), p0, 1, 5, 9))))
                .containsOnly(Map.entry(p0, WalCommitOutcome.COMMITTED));

        assertThat(store.committedEnd(p0)).isEqualTo(9);
        assertThat(store.committedEnd(p1)).isEqualTo(3);
        assertThat(store.walRanges(p0, 0)).containsExactly(range(walKey(0), p0, 1, 0, 5), range(walKey(1), p0, 1, 5, 9));
        assertThat(store.committedWalObjects(WRITER)).containsExactly(walKey(0), walKey(1));
    }

    @Test
    void theSameCommitTwiceAsAfterALostReplyIsCommittedBothTimesAndRecordedOnce() {
        long controller = controller();
        TopicPartitionId tp = ledByOne(controller, "orders", 1).get(0);
        WalObjectCommit commit = walObject(walKey(0), range(walKey(0), tp, 1, 0, 4));

        assertThat(store.commitWal(commit)).containsOnly(Map.entry(tp, WalCommitOutcome.COMMITTED));
        assertThat(store.commitWal(commit)).as("the retry after a lost reply")
                .containsOnly(Map.entry(tp, WalCommitOutcome.COMMITTED));

        assertThat(store.committedEnd(tp)).isEqualTo(4);
        assertThat(store.walRanges(tp, 0)).containsExactly(range(walKey(0), tp, 1, 0, 4));
        assertThat(store.committedWalObjects(WRITER)).containsExactly(walKey(0));

        store.electLeader(controller, tp, 1, 2).orElseThrow();
        assertThat(store.commitWal(commit)).as("a retry after the partition moved on: its range is recorded")
                .containsOnly(Map.entry(tp, WalCommitOutcome.COMMITTED));
    }

    @Test
    void aCommitRetriedAfterItsRangeWasReleasedIsStillCommitted() {
        TopicPartitionId tp = ledByOne(controller(), "orders", 1).get(0);
        WalObjectCommit commit = walObject(walKey(0), range(walKey(0), tp, 1, 0, 4));
        store.commitWal(commit);
        assertThat(store.releaseWal(tp, 1, 1, 4)).isTrue();

        assertThat(store.commitWal(commit)).containsOnly(Map.entry(tp, WalCommitOutcome.COMMITTED));
        assertThat(store.walRanges(tp, 0)).as("not recorded again").isEmpty();
        assertThat(store.committedEnd(tp)).isEqualTo(4);
    }

    @Test
    void aCommitAtAStaleEpochOrByAnotherBrokerIsFencedAndLeavesTheCommittedEndAlone() {
        long controller = controller();
        List<TopicPartitionId> tps = ledByOne(controller, "orders", 2);
        TopicPartitionId moved = tps.get(0);
        TopicPartitionId kept = tps.get(1);
        store.electLeader(controller, moved, 1, 1).orElseThrow(); // epoch 2, same leader

        assertThat(store.commitWal(walObject(walKey(0), range(walKey(0), moved, 1, 0, 4), range(walKey(0), kept, 1, 0, 2))))
                .as("only the partition at another epoch is fenced")
                .containsOnly(Map.entry(moved, WalCommitOutcome.FENCED), Map.entry(kept, WalCommitOutcome.COMMITTED));
        assertThat(store.committedEnd(moved)).isZero();
        assertThat(store.walRanges(moved, 0)).isEmpty();

        WalObjectCommit byTwo = new WalObjectCommit(walKey(1), 2, WRITER, 10, List.of(range(walKey(1), kept, 1, 2, 3)));
        assertThat(store.commitWal(byTwo)).as("not the leader").containsOnly(Map.entry(kept, WalCommitOutcome.FENCED));
        assertThat(store.committedEnd(kept)).isEqualTo(2);

        store.deleteTopic(kept.topicId());
        assertThat(store.commitWal(walObject(walKey(2), range(walKey(2), kept, 1, 2, 3))))
                .as("a deleted topic").containsOnly(Map.entry(kept, WalCommitOutcome.FENCED));
    }

    @Test
    void aRangeThatDoesNotStartAtTheCommittedEndIsOutOfOrderUntilTheGapIsCommitted() {
        TopicPartitionId tp = ledByOne(controller(), "orders", 1).get(0);
        WalObjectCommit later = walObject(walKey(1), range(walKey(1), tp, 1, 4, 6));

        assertThat(store.commitWal(later)).containsOnly(Map.entry(tp, WalCommitOutcome.OUT_OF_ORDER));
        assertThat(store.committedEnd(tp)).isZero();
        assertThat(store.walRanges(tp, 0)).isEmpty();

        store.commitWal(walObject(walKey(0), range(walKey(0), tp, 1, 0, 4)));
        assertThat(store.commitWal(later)).containsOnly(Map.entry(tp, WalCommitOutcome.COMMITTED));
        assertThat(store.committedEnd(tp)).isEqualTo(6);
    }

    @Test
    void aRevokedIncarnationsCommitsAreAllFencedAndOnlyTheControllerAtItsEpochRevokes() {
        long controller = controller();
        TopicPartitionId tp = ledByOne(controller, "orders", 1).get(0);
        UUID dead = UUID.randomUUID();

        assertThat(store.revokeWalWriter(controller + 1, dead)).as("a stale controller").isFalse();
        assertThat(store.commitWal(walObject(walKey(0), dead, range(walKey(0), tp, 1, 0, 2))))
                .containsOnly(Map.entry(tp, WalCommitOutcome.COMMITTED));
        assertThat(store.revokeWalWriter(controller, dead)).isTrue();
        assertThat(store.revokeWalWriter(controller, dead)).as("again").isTrue();

        assertThat(store.commitWal(walObject(walKey(1), dead, range(walKey(1), tp, 1, 2, 4))))
                .containsOnly(Map.entry(tp, WalCommitOutcome.FENCED));
        assertThat(store.committedEnd(tp)).isEqualTo(2);
        assertThat(store.committedWalObjects(dead)).containsExactly(walKey(0));
        assertThat(store.revokeWalWriter(controller, UUID.randomUUID())).as("one that never committed").isTrue();
    }

    @Test
    void walRangesAreThoseEndingAfterTheOffsetInOrderWithTheirBatches() {
        TopicPartitionId tp = ledByOne(controller(), "orders", 1).get(0);
        WalRange first = range(walKey(0), tp, 1, 0, 3);
        WalRange second = range(walKey(1), tp, 1, 3, 7);
        WalRange third = range(walKey(2), tp, 1, 7, 8);
        store.commitWal(walObject(walKey(0), first));
        store.commitWal(walObject(walKey(1), second));
        store.commitWal(walObject(walKey(2), third));

        assertThat(store.walRanges(tp, 0)).containsExactly(first, second, third);
        assertThat(store.walRanges(tp, 3)).containsExactly(second, third);
        assertThat(store.walRanges(tp, 6)).containsExactly(second, third);
        assertThat(store.walRanges(tp, 7)).containsExactly(third);
        assertThat(store.walRanges(tp, 8)).isEmpty();
        assertThat(store.walRanges(tp, 0).get(1).batches()).hasSize(4).first()
                .isEqualTo(new WalBatch(3, 3, 7, (short) 2, 3, 3, 1_003));
        assertThat(store.walRanges(new TopicPartitionId(UUID.randomUUID(), 0), 0)).isEmpty();
    }

    @Test
    void releasingIsFencedByTheLeaderItsEpochAndTheCommittedEndAndForgetsOnlyWholeRanges() {
        long controller = controller();
        TopicPartitionId tp = ledByOne(controller, "orders", 1).get(0);
        store.commitWal(walObject(walKey(0), range(walKey(0), tp, 1, 0, 3)));
        store.commitWal(walObject(walKey(1), range(walKey(1), tp, 1, 3, 7)));

        assertThat(store.releaseWal(tp, 2, 1, 3)).as("not the leader").isFalse();
        assertThat(store.releaseWal(tp, 1, 0, 3)).as("a stale epoch").isFalse();
        assertThat(store.releaseWal(tp, 1, 1, 8)).as("past the committed end").isFalse();
        assertThat(store.walRanges(tp, 0)).hasSize(2);

        assertThat(store.releaseWal(tp, 1, 1, 5)).as("up to the middle of the second range").isTrue();
        assertThat(store.walRanges(tp, 0)).extracting(WalRange::baseOffset).containsExactly(3L);
        assertThat(store.releaseWal(tp, 1, 1, 7)).isTrue();
        assertThat(store.walRanges(tp, 0)).isEmpty();

        store.electLeader(controller, tp, 1, 2).orElseThrow();
        assertThat(store.releaseWal(tp, 1, 1, 7)).as("after the move").isFalse();
        assertThat(store.releaseWal(tp, 2, 2, 7)).as("the new leader").isTrue();
    }

    @Test
    void anObjectIsCollectableOnlyOnceNoneOfItsRangesIsNeededAndIsForgottenAfterItsDeletion() {
        long controller = controller();
        List<TopicPartitionId> tps = ledByOne(controller, "orders", 2);
        TopicPartitionId p0 = tps.get(0);
        TopicPartitionId p1 = tps.get(1);
        store.commitWal(walObject(walKey(0), range(walKey(0), p0, 1, 0, 3), range(walKey(0), p1, 1, 0, 2)));
        store.commitWal(walObject(walKey(1), range(walKey(1), p0, 1, 3, 5)));
        assertThat(store.collectableWalObjects(controller, 10)).as("every range needed").isEmpty();
        store.forgetWalObjects(List.of(walKey(0), walKey(1)));
        assertThat(store.committedWalObjects(WRITER)).as("not being deleted: not forgotten")
                .containsExactly(walKey(0), walKey(1));

        store.releaseWal(p0, 1, 1, 5);
        assertThat(store.collectableWalObjects(controller, 10)).as("p1's range in object 0 still needed")
                .containsExactly(walKey(1));
        store.releaseWal(p1, 1, 1, 2);
        assertThat(store.collectableWalObjects(controller, 10)).as("a crashed GC's object again, and the new one")
                .containsExactly(walKey(0), walKey(1));
        assertThat(store.collectableWalObjects(controller, 1)).as("limited").hasSize(1);

        store.forgetWalObjects(List.of(walKey(1)));
        assertThat(store.collectableWalObjects(controller, 10)).containsExactly(walKey(0));
        assertThat(store.committedWalObjects(WRITER)).containsExactly(walKey(0));
        store.forgetWalObjects(List.of(walKey(0)));
        assertThat(store.collectableWalObjects(controller, 10)).isEmpty();
        assertThat(store.committedWalObjects(WRITER)).isEmpty();
    }

    @Test
    void theObjectsOfADeletedTopicBecomeCollectableWhenNothingElseNeedsThem() {
        long controller = controller();
        TopicPartitionId doomed = ledByOne(controller, "doomed", 1).get(0);
        TopicPartitionId kept = ledByOne(controller, "kept", 1).get(0);
        store.commitWal(walObject(walKey(0), range(walKey(0), doomed, 1, 0, 3)));
        store.commitWal(walObject(walKey(1), range(walKey(1), doomed, 1, 3, 4), range(walKey(1), kept, 1, 0, 2)));

        assertThat(store.deleteTopic(doomed.topicId())).isTrue();

        assertThat(store.collectableWalObjects(controller, 10)).containsExactly(walKey(0));
        store.releaseWal(kept, 1, 1, 2);
        assertThat(store.collectableWalObjects(controller, 10)).containsExactly(walKey(0), walKey(1));
    }

    @Test
    void anObjectBeingDeletedIsNeverReferredToAgain() {
        long controller = controller();
        TopicPartitionId tp = ledByOne(controller, "orders", 1).get(0);
        // every range of this attempt fenced: nothing refers to the object, GC takes it
        store.electLeader(controller, tp, 1, 1).orElseThrow(); // epoch 2
        WalObjectCommit stale = walObject(walKey(0), range(walKey(0), tp, 1, 0, 3));
        assertThat(store.commitWal(stale)).containsOnly(Map.entry(tp, WalCommitOutcome.FENCED));
        assertThat(store.collectableWalObjects(controller, 10)).containsExactly(walKey(0));

        // a range of the same key at the current epoch, now that it is being deleted: fenced too
        WalObjectCommit again = walObject(walKey(0), range(walKey(0), tp, 2, 0, 3));
        assertThat(store.commitWal(again)).containsOnly(Map.entry(tp, WalCommitOutcome.FENCED));
        assertThat(store.committedEnd(tp)).isZero();
        assertThat(store.walRanges(tp, 0)).isEmpty();
    }

    @Test
    void anObjectWithARangeStillOutOfOrderIsNotCollectableUntilItsWriterRetriesOrIsRevoked() {
        long controller = controller();
        List<TopicPartitionId> tps = ledByOne(controller, "orders", 2);
        TopicPartitionId p0 = tps.get(0);
        TopicPartitionId p1 = tps.get(1);
        WalObjectCommit commit = walObject(walKey(1), range(walKey(1), p0, 1, 0, 2), range(walKey(1), p1, 1, 5, 6));
        assertThat(store.commitWal(commit)).containsOnly(Map.entry(p0, WalCommitOutcome.COMMITTED),
                Map.entry(p1, WalCommitOutcome.OUT_OF_ORDER));
        store.releaseWal(p0, 1, 1, 2);

        assertThat(store.collectableWalObjects(controller, 10)).as("the writer will try p1's range again").isEmpty();

        store.commitWal(walObject(walKey(0), range(walKey(0), p1, 1, 0, 5)));
        assertThat(store.commitWal(commit)).containsOnly(Map.entry(p0, WalCommitOutcome.COMMITTED),
                Map.entry(p1, WalCommitOutcome.COMMITTED));
        store.releaseWal(p1, 1, 1, 6);
        assertThat(store.collectableWalObjects(controller, 10)).containsExactly(walKey(0), walKey(1));

        // Out of order again for a writer that dies: collectable once it is revoked
        UUID dead = UUID.randomUUID();
        String key = "wal/1/" + dead + "/00000000000000000000.wal";
        store.commitWal(walObject(key, dead, range(key, p1, 1, 9, 10)));
        assertThat(store.collectableWalObjects(controller, 10)).doesNotContain(key);
        store.revokeWalWriter(controller, dead);
        assertThat(store.collectableWalObjects(controller, 10)).contains(key);
    }

    @Test
    void garbageCollectionAnswersOnlyTheControllerAtItsEpoch() {
        long controller = controller();
        TopicPartitionId tp = ledByOne(controller, "orders", 1).get(0);
        store.commitWal(walObject(walKey(0), range(walKey(0), tp, 1, 0, 3)));
        store.releaseWal(tp, 1, 1, 3);
        ControllerState current = store.controller().orElseThrow();
        long next = store.claimController(2, UUID.randomUUID(), Optional.of(current)).orElseThrow();

        assertThat(store.collectableWalObjects(controller, 10)).as("a deposed controller").isEmpty();
        assertThat(store.revokeWalWriter(controller, WRITER)).isFalse();
        assertThat(store.commitWal(walObject(walKey(1), range(walKey(1), tp, 1, 3, 4))))
                .as("the writer was not revoked").containsOnly(Map.entry(tp, WalCommitOutcome.COMMITTED));
        assertThat(store.collectableWalObjects(next, 10)).containsExactly(walKey(0));
    }

    @Test
    void theWalCatalogNamesEachCommittedObjectWithItsNeededRangesAndWhetherGcWouldTakeItAndWritesNothing() {
        BrokerRegistration one = broker(1, "one");
        store.register(one, SESSION);
        long controller = controller();
        List<TopicPartitionId> tps = ledByOne(controller, "orders", 2);
        TopicPartitionId p0 = tps.get(0);
        TopicPartitionId p1 = tps.get(1);
        UUID dead = UUID.randomUUID();
        String deadKey = "wal/1/" + dead + "/00000000000000000000.wal";
        store.commitWal(walObject(walKey(0), range(walKey(0), p0, 1, 0, 3), range(walKey(0), p1, 1, 0, 2)));
        store.commitWal(walObject(walKey(1), range(walKey(1), p0, 1, 3, 5)));
        store.releaseWal(p0, 1, 1, 5); // object 1 is needed no more, object 0 only for p1
        assertThat(store.commitWal(walObject(walKey(2), range(walKey(2), p1, 1, 4, 6))))
                .containsOnly(Map.entry(p1, WalCommitOutcome.OUT_OF_ORDER));
        store.commitWal(walObject(deadKey, dead, range(deadKey, p1, 1, 2, 3)));
        store.revokeWalWriter(controller, dead);
        long version = store.changeVersion();

        WalCatalog catalog = store.walCatalog();

        assertThat(catalog.registered()).containsExactly(one.incarnation());
        assertThat(catalog.revoked()).containsExactly(dead);
        assertThat(catalog.objects()).containsExactlyInAnyOrder(
                new WalCatalog.CommittedObject(walKey(0), WRITER, 4096, false,
                        List.of(new WalCatalog.Extent(p1, 0, 2, 64, 20))),
                new WalCatalog.CommittedObject(walKey(1), WRITER, 4096, true, List.of()),
                new WalCatalog.CommittedObject(walKey(2), WRITER, 4096, false, List.of()),
                new WalCatalog.CommittedObject(deadKey, dead, 4096, false,
                        List.of(new WalCatalog.Extent(p1, 2, 3, 84, 10))));
        assertThat(catalog.objects()).extracting(WalCatalog.CommittedObject::objectKey).isSorted();
        assertThat(store.changeVersion()).as("nothing written").isEqualTo(version);
        assertThat(store.collectableWalObjects(controller, 10)).as("GC takes what the catalog calls collectable")
                .containsExactly(walKey(1));
        assertThat(store.walCatalog().objects()).as("marked deleting now: still collectable")
                .filteredOn(WalCatalog.CommittedObject::collectable)
                .extracting(WalCatalog.CommittedObject::objectKey).containsExactly(walKey(1));
    }

    @Test
    void aCommitOfTwoRangesOfOnePartitionOrOfAnotherObjectsRangeIsRefused() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        assertThatThrownBy(() -> walObject(walKey(0), range(walKey(0), tp, 1, 0, 2), range(walKey(0), tp, 1, 2, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one range per partition");
        assertThatThrownBy(() -> walObject(walKey(0), range(walKey(1), tp, 1, 0, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not in object");
    }

    @Test
    void attemptsOfOneCommitRacingEachOtherAreAllCommittedAndRecordOnce() throws Exception {
        List<TopicPartitionId> tps = ledByOne(controller(), "orders", 3);
        WalObjectCommit commit = walObject(walKey(0), range(walKey(0), tps.get(0), 1, 0, 2),
                range(walKey(0), tps.get(1), 1, 0, 3), range(walKey(0), tps.get(2), 1, 0, 4));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Map<TopicPartitionId, WalCommitOutcome>>> attempts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                attempts.add(threads.submit(() -> {
                    start.await();
                    return store.commitWal(commit);
                }));
            }
            start.countDown();
            for (Future<Map<TopicPartitionId, WalCommitOutcome>> attempt : attempts) {
                assertThat(attempt.get(60, java.util.concurrent.TimeUnit.SECONDS)).hasSize(3)
                        .allSatisfy((tp, outcome) -> assertThat(outcome).isEqualTo(WalCommitOutcome.COMMITTED));
            }
        } finally {
            threads.shutdownNow();
        }
        for (TopicPartitionId tp : tps) {
            assertThat(store.walRanges(tp, 0)).singleElement().extracting(WalRange::endOffset)
                    .isEqualTo(store.committedEnd(tp));
        }
        assertThat(store.committedWalObjects(WRITER)).containsExactly(walKey(0));
    }

    @Test
    void concurrentCommitsOfOneChainEachCommitExactlyOnceInOrder() throws Exception {
        TopicPartitionId tp = ledByOne(controller(), "orders", 1).get(0);
        int objects = 20;
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            // every object is retried until committed, in any order: the chain ends up whole and recorded once
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < objects; i++) {
                WalObjectCommit commit = walObject(walKey(i), range(walKey(i), tp, 1, i * 2L, i * 2L + 2));
                done.add(threads.submit(() -> {
                    while (store.commitWal(commit).get(tp) != WalCommitOutcome.COMMITTED) {
                        Thread.onSpinWait();
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(store.committedEnd(tp)).isEqualTo(objects * 2L);
        assertThat(store.walRanges(tp, 0)).extracting(WalRange::baseOffset)
                .containsExactlyElementsOf(java.util.stream.LongStream.range(0, objects).map(i -> i * 2).boxed().toList());
    }

    // ---- rebuilding from the bucket --------------------------------------------------------------------------

    private static RestoredMetadata restoredOrders(TopicDefinition orders, String group, long producerIdFloor) {
        return new RestoredMetadata(List.of(new RestoredMetadata.RestoredTopic(orders, List.of(
                new RestoredMetadata.RestoredPartition(1200, 7), new RestoredMetadata.RestoredPartition(0, 0)))),
                List.of(new CommittedOffset(group, new TopicPartitionId(orders.topicId(), 0), 1100, 7, "m", 5000)),
                producerIdFloor);
    }

    @Test
    void aRestoredPartitionIsLeaderlessAboveEveryEpochFoundWithOneHistoryRowAtItsCommittedEnd() {
        TopicDefinition orders = new TopicDefinition(UUID.randomUUID(), "orders", 2, Map.of("segment.bytes", "1024"));
        long before = store.changeVersion();

        assertThat(store.restore(restoredOrders(orders, "billing", 0))).isTrue();

        TopicPartitionId p0 = new TopicPartitionId(orders.topicId(), 0);
        TopicPartitionId p1 = new TopicPartitionId(orders.topicId(), 1);
        assertThat(store.topics()).containsExactly(orders);
        assertThat(store.leadership()).containsExactlyInAnyOrder(
                new PartitionLeadership(p0, PartitionLeadership.NO_LEADER, 8),
                new PartitionLeadership(p1, PartitionLeadership.NO_LEADER, 1));
        assertThat(store.committedEnd(p0)).isEqualTo(1200);
        assertThat(store.committedEnd(p1)).isZero();
        assertThat(store.epochHistory(p0)).containsExactly(new EpochStart(8, 1200, PartitionLeadership.NO_LEADER));
        assertThat(store.committedOffsets("billing")).containsExactly(
                new CommittedOffset("billing", p0, 1100, 7, "m", 5000));
        assertThat(store.changeVersion()).isGreaterThan(before);
    }

    @Test
    void aRestoredPartitionIsElectedAtTheNextEpochStartingAtItsCommittedEndAndATopicCreatedAfterwardsWorks() {
        TopicDefinition orders = new TopicDefinition(UUID.randomUUID(), "orders", 2, Map.of());
        store.restore(restoredOrders(orders, "billing", 0));
        TopicPartitionId p0 = new TopicPartitionId(orders.topicId(), 0);
        long controllerEpoch = store.claimController(1, UUID.randomUUID(), Optional.empty()).orElseThrow();

        assertThat(store.electLeader(controllerEpoch, p0, 8, 1)).hasValue(new PartitionLeadership(p0, 1, 9));
        assertThat(store.advanceCommittedEnd(p0, 1, 9, 1300)).isTrue();
        assertThat(store.epochHistory(p0)).containsExactly(new EpochStart(8, 1200, PartitionLeadership.NO_LEADER),
                new EpochStart(9, 1200, 1));

        TopicDefinition later = new TopicDefinition(UUID.randomUUID(), "later", 1, Map.of());
        assertThat(store.createTopic(later)).isTrue();
        assertThat(store.createTopic(new TopicDefinition(UUID.randomUUID(), "orders", 1, Map.of())))
                .as("a restored name is taken").isFalse();
        assertThat(store.leadership()).filteredOn(l -> l.partition().topicId().equals(later.topicId()))
                .singleElement().extracting(PartitionLeadership::leaderEpoch).isEqualTo(0);
    }

    @Test
    void producerIdsAllocatedAfterARestoreAreAboveTheFloor() {
        assertThat(store.restore(restoredOrders(new TopicDefinition(UUID.randomUUID(), "orders", 2, Map.of()),
                "billing", 1L << 40))).isTrue();

        assertThat(store.allocateProducerIds(1000)).isEqualTo(1L << 40);
    }

    @Test
    void aProducerIdFloorBelowTheCounterLeavesIt() {
        long next = store.allocateProducerIds(5000) + 5000;

        assertThat(store.restore(restoredOrders(new TopicDefinition(UUID.randomUUID(), "orders", 2, Map.of()),
                "billing", 10))).isTrue();

        assertThat(store.allocateProducerIds(1)).isEqualTo(next);
    }

    @Test
    void aRestoreIntoAStoreThatHasATopicIsRefusedAndWritesNothing() {
        TopicDefinition existing = new TopicDefinition(UUID.randomUUID(), "existing", 1, Map.of());
        store.createTopic(existing);
        long version = store.changeVersion();
        long nextProducerId = store.allocateProducerIds(1) + 1;

        assertThat(store.restore(restoredOrders(new TopicDefinition(UUID.randomUUID(), "orders", 2, Map.of()),
                "billing", 1L << 40))).isFalse();

        assertThat(store.topics()).containsExactly(existing);
        assertThat(store.leadership()).hasSize(1);
        assertThat(store.committedOffsets("billing")).isEmpty();
        assertThat(store.changeVersion()).isEqualTo(version);
        assertThat(store.allocateProducerIds(1)).isEqualTo(nextProducerId);
    }

    // ---- producer ids --------------------------------------------------------------------------------------

    @Test
    void producerIdBlocksNeverOverlapEvenWhenReservedConcurrently() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> firsts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                firsts.add(threads.submit(() -> store.allocateProducerIds(1000)));
            }
            Set<Long> blocks = new HashSet<>();
            for (Future<Long> first : firsts) {
                long start = first.get();
                assertThat(start % 1000).isZero();
                assertThat(blocks.add(start)).as("block %d handed out twice", start).isTrue();
            }
            assertThat(blocks).hasSize(40);
            assertThat(store.allocateProducerIds(1)).isEqualTo(40_000);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aClaimWhoseReplyWasLostIsFoundByReReading() {
        UUID me = UUID.randomUUID();
        OptionalLong epoch = store.claimController(3, me, Optional.empty());
        // The caller re-reads after any error: the lease shows whether its claim landed
        assertThat(store.controller()).hasValueSatisfying(state -> {
            assertThat(state.incarnation()).isEqualTo(me);
            assertThat(state.epoch()).isEqualTo(epoch.orElseThrow());
        });
    }
}
