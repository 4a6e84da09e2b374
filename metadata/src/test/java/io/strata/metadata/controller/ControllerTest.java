package io.strata.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.EpochStart;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Controllers of three brokers on one real PostgreSQL, each on its own fake monotonic clock: one holds the lease
 * and spreads leadership, another takes over only after the holder's renewals stood still for a session, the old
 * holder is fenced; a dead leader's partitions go offline and wait for it, released ones go anywhere, and moves
 * away from a live leader (a joining broker, an admin's reassignment) are requested hand-overs, never elections.
 */
class ControllerTest {

    private static final Duration SESSION = Duration.ofSeconds(9);
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final int NONE = PartitionLeadership.NO_LEADER;

    private MetadataStore store;
    private final UUID[] incarnations = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(),
            UUID.randomUUID()};
    private final AtomicLong clockOne = new AtomicLong();
    private final AtomicLong clockTwo = new AtomicLong();

    @BeforeEach
    void cluster() {
        store = PostgresMetadataStore.open(PostgresServer.shared().createDatabase("controller"), "strata-test");
        for (int node = 1; node <= 3; node++) {
            register(node);
        }
        store.createTopic(new TopicDefinition(UUID.randomUUID(), "orders", 6, Map.of()));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void register(int node) {
        store.register(new BrokerRegistration(node, incarnations[node], "PLAINTEXT://b" + node + ":9092",
                Optional.empty()), SESSION);
    }

    private Controller controller(int node, AtomicLong clock) {
        return new Controller(store, node, incarnations[node], SESSION, HEARTBEAT, clock::get);
    }

    private Map<Integer, Long> leadersByBroker() {
        return store.leadership().stream()
                .collect(Collectors.groupingBy(PartitionLeadership::leader, Collectors.counting()));
    }

    private List<PartitionLeadership> ledBy(int node) {
        return store.leadership().stream().filter(p -> p.leader() == node).toList();
    }

    private void heartbeat(int... nodes) {
        for (int node : nodes) {
            store.heartbeat(node, incarnations[node]);
        }
    }

    /** Passes of {@code controller} a heartbeat interval apart, while {@code live} brokers renew. */
    private void passes(Controller controller, int count, int... live) {
        for (int i = 0; i < count; i++) {
            clockOne.addAndGet(HEARTBEAT.toNanos());
            heartbeat(live);
            controller.runOnce();
        }
    }

    @Test
    void oneControllerSpreadsLeadershipAndAnotherTakesOverOnlyWhenItsRenewalsStop() {
        Controller one = controller(1, clockOne);
        Controller two = controller(2, clockTwo);

        one.runOnce();
        two.runOnce();
        assertThat(one.epoch()).hasValue(1);
        assertThat(two.epoch()).isEmpty();
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
        assertThat(store.leadership()).allSatisfy(p -> assertThat(p.leaderEpoch()).isEqualTo(1));

        // While one renews, two only watches, however long
        for (int i = 0; i < 10; i++) {
            clockOne.addAndGet(HEARTBEAT.toNanos());
            clockTwo.addAndGet(HEARTBEAT.toNanos());
            heartbeat(1, 2, 3);
            one.runOnce();
            two.runOnce();
        }
        assertThat(two.epoch()).isEmpty();

        // One's controller stops (a stuck thread; the brokers, one included, keep renewing their registrations):
        // after a whole session on two's clock, two takes over with the next epoch
        for (int i = 0; i < 5; i++) {
            clockTwo.addAndGet(HEARTBEAT.toNanos());
            heartbeat(1, 2, 3);
            two.runOnce();
        }
        assertThat(two.epoch()).hasValue(2);
        assertThat(store.controller()).hasValueSatisfying(c -> assertThat(c.nodeId()).isEqualTo(2));

        // One wakes up: by its own clock it stopped acting already; its renewal fails and it stays out
        clockOne.addAndGet(SESSION.toNanos());
        assertThat(one.epoch()).as("not renewed for a session, by its own clock").isEmpty();
        one.runOnce();
        assertThat(one.epoch()).isEmpty();
        assertThat(leadersByBroker()).as("nothing moved: every broker is alive").containsOnly(
                Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
    }

    @Test
    void aDeadLeadersPartitionsGoOfflineAndWaitForItThenGoBackToItWhenItIsLive() {
        Controller holding = controller(1, clockOne);
        holding.runOnce();
        List<PartitionLeadership> three = ledBy(3);
        assertThat(three).hasSize(2);

        // Broker 3 stops renewing; 1 and 2 go on: after a session its partitions go offline, remembering broker 3
        passes(holding, 6, 1, 2);
        assertThat(store.leadership()).filteredOn(p -> three.stream().anyMatch(t -> t.partition().equals(p.partition())))
                .hasSize(2).allSatisfy(p -> {
                    assertThat(p.hasLeader()).isFalse();
                    assertThat(p.lastLeader()).isEqualTo(3);
                    assertThat(p.leaderEpoch()).isEqualTo(2);
                });
        assertThat(store.epochHistory(three.get(0).partition())).last().isEqualTo(new EpochStart(2, 0, NONE));
        assertThat(leadersByBroker()).as("the others stay put; nothing is elected over broker 3's tail")
                .containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(NONE, 2L));
        assertThat(store.leadership()).filteredOn(PartitionLeadership::hasLeader)
                .allSatisfy(p -> assertThat(p.leaderEpoch()).isEqualTo(1));

        // Broker 3 comes back (its disk kept): its partitions go back to it, at the next epoch
        passes(holding, 1, 1, 2, 3);
        assertThat(ledBy(3)).hasSize(2).allSatisfy(p -> {
            assertThat(p.leaderEpoch()).isEqualTo(3);
            assertThat(p.lastLeader()).isEqualTo(3);
        });
    }

    @Test
    void withTheTailsInTheBucketADeadLeadersPartitionsGoToLiveBrokersAtOnce() {
        Controller holding = controller(1, clockOne);
        holding.setTailsInBucket(true);
        holding.runOnce();
        List<PartitionLeadership> three = ledBy(3);

        // Broker 3 stops renewing: after a session its partitions go to the live brokers, not offline
        passes(holding, 7, 1, 2);
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L));
        assertThat(store.leadership()).filteredOn(p -> three.stream().anyMatch(t -> t.partition().equals(p.partition())))
                .allSatisfy(p -> assertThat(p.leaderEpoch()).as("offline at 2, led again at 3").isEqualTo(3));
    }

    @Test
    void aBrokerThatDiedWithTheControllerIsJudgedByWhatTheNextControllerSawAsACandidate() {
        Controller one = controller(1, clockOne);
        Controller two = controller(2, clockTwo);
        two.setTailsInBucket(true);
        one.runOnce();
        two.runOnce();
        List<PartitionLeadership> three = ledBy(3);

        // Brokers 1 (the controller) and 3 die together; two watches the lease and the brokers, heartbeat by heartbeat
        int passes = 0;
        while (ledBy(3).size() > 0 && passes < 20) {
            clockTwo.addAndGet(HEARTBEAT.toNanos());
            heartbeat(2);
            two.runOnce();
            passes++;
        }

        // Then broker 3's partitions move a session after it stopped, not a session after two took the lease
        assertThat(two.epoch()).hasValue(2);
        assertThat(passes).as("heartbeat intervals until broker 3's partitions left it")
                .isLessThanOrEqualTo((int) (SESSION.toNanos() / HEARTBEAT.toNanos()) + 2);
        assertThat(store.leadership()).filteredOn(p -> three.stream().anyMatch(t -> t.partition().equals(p.partition())))
                .allSatisfy(p -> assertThat(p.leader()).isEqualTo(2));
    }

    @Test
    void aPartitionReleasedByItsLeaderGoesToALiveBroker() {
        Controller holding = controller(1, clockOne);
        holding.runOnce();
        // Broker 3 shuts down cleanly: it uploads its tails, releases its partitions and unregisters
        for (PartitionLeadership p : ledBy(3)) {
            assertThat(store.handOver(p.partition(), 3, p.leaderEpoch(), 0, NONE)).isPresent();
        }
        store.unregister(3, incarnations[3]);

        passes(holding, 1, 1, 2);

        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L));
        assertThat(store.leadership()).filteredOn(p -> p.leaderEpoch() == 3)
                .hasSize(2).allSatisfy(p -> assertThat(p.lastLeader()).isEqualTo(p.leader()));
    }

    @Test
    void aJoiningBrokerGetsPartitionsByRequestedHandOversNeverByElectionOverALiveLeader() {
        store.unregister(3, incarnations[3]);
        Controller holding = controller(1, clockOne);
        holding.runOnce();
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L));

        register(3);
        passes(holding, 1, 1, 2, 3);

        assertThat(leadersByBroker()).as("no leader changed yet").containsOnly(Map.entry(1, 3L), Map.entry(2, 3L));
        assertThat(store.leadership()).allSatisfy(p -> assertThat(p.leaderEpoch()).isEqualTo(1));
        List<PartitionLeadership> moving = store.leadership().stream().filter(PartitionLeadership::moving).toList();
        assertThat(moving).hasSize(2).allSatisfy(p -> assertThat(p.targetLeader()).isEqualTo(3));

        // Another pass leaves the requested moves alone; the leaders hand over; then all is balanced
        passes(holding, 1, 1, 2, 3);
        assertThat(store.leadership()).filteredOn(PartitionLeadership::moving).isEqualTo(moving);
        for (PartitionLeadership p : moving) {
            assertThat(store.handOver(p.partition(), p.leader(), p.leaderEpoch(), 0, 3)).isPresent();
        }
        passes(holding, 2, 1, 2, 3);
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
        assertThat(store.leadership()).noneMatch(PartitionLeadership::moving);
    }

    private Map<Integer, Long> leadersByBroker(UUID topic) {
        return store.leadership().stream().filter(p -> p.partition().topicId().equals(topic))
                .collect(Collectors.groupingBy(PartitionLeadership::leader, Collectors.counting()));
    }

    @Test
    void aReturningBrokerIsHandedItsShareOfEveryTopic() {
        // The three-broker scenario: a topic and the coordinator slots, 6 partitions each, spread over 1, 2 and 3
        store.deleteTopic(store.topics().get(0).topicId());
        UUID spread = UUID.randomUUID();
        UUID slots = UUID.randomUUID();
        store.createTopic(new TopicDefinition(spread, "spread", 6, Map.of()));
        store.createTopic(new TopicDefinition(slots, "__consumer_offsets", 6, Map.of()));
        Controller holding = controller(1, clockOne);
        holding.runOnce();
        for (UUID topic : List.of(spread, slots)) {
            assertThat(leadersByBroker(topic)).containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
        }

        // Broker 3 restarts: it hands its partitions over to 1 and 2 (one of each topic to each), then comes back
        List<PartitionLeadership> handed = ledBy(3);
        for (PartitionLeadership p : handed) {
            int target = handed.stream().filter(o -> o.partition().topicId().equals(p.partition().topicId()))
                    .toList().indexOf(p) == 0 ? 1 : 2;
            assertThat(store.handOver(p.partition(), 3, p.leaderEpoch(), 0, target)).isPresent();
        }
        store.unregister(3, incarnations[3]);
        passes(holding, 1, 1, 2);
        incarnations[3] = UUID.randomUUID();
        register(3);
        passes(holding, 1, 1, 2, 3);

        List<PartitionLeadership> moving = store.leadership().stream().filter(PartitionLeadership::moving).toList();
        assertThat(moving).as("the fewest moves: one of each topic from each of 1 and 2").hasSize(4)
                .allSatisfy(p -> assertThat(p.targetLeader()).isEqualTo(3));
        for (PartitionLeadership p : moving) {
            assertThat(store.handOver(p.partition(), p.leader(), p.leaderEpoch(), 0, 3)).isPresent();
        }
        passes(holding, 2, 1, 2, 3);
        for (UUID topic : List.of(spread, slots)) {
            assertThat(leadersByBroker(topic)).as("kafka-topics --describe of topic %s", topic)
                    .containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
        }
        assertThat(store.leadership()).noneMatch(PartitionLeadership::moving);
    }

    /** Brokers 1 and 2 lead everything, then broker 3 joins: its controller (returned) asked for two hand-overs. */
    private Controller twoMovesRequestedToAJoiningBrokerThree() {
        store.unregister(3, incarnations[3]);
        Controller holding = controller(1, clockOne);
        holding.runOnce();
        register(3);
        passes(holding, 1, 1, 2, 3);
        assertThat(store.leadership()).filteredOn(PartitionLeadership::moving).hasSize(2)
                .allSatisfy(p -> assertThat(p.targetLeader()).isEqualTo(3));
        return holding;
    }

    @Test
    void aMoveToABrokerThatDiedIsWithdrawn() {
        Controller holding = twoMovesRequestedToAJoiningBrokerThree();

        // Broker 3 dies before the hand-overs: the moves to it are withdrawn, nothing else changes
        passes(holding, 6, 1, 2);

        assertThat(store.leadership()).noneMatch(PartitionLeadership::moving)
                .allSatisfy(p -> assertThat(p.leaderEpoch()).isEqualTo(1));
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L));
    }

    @Test
    void aDrainingBrokerIsGivenNothingWhileItHandsItsPartitionsOverItself() {
        Controller holding = controller(1, clockOne);
        holding.runOnce();
        List<PartitionLeadership> three = ledBy(3);
        assertThat(three).hasSize(2);

        // Broker 3 begins a planned shutdown: its partitions are left to it, untouched
        assertThat(store.drain(3, incarnations[3])).isTrue();
        passes(holding, 1, 1, 2, 3);
        assertThat(ledBy(3)).isEqualTo(three);
        assertThat(holding.reassign(ledBy(1).get(0).partition(), 3)).as("no reassignment to it").isFalse();

        // It hands one over to broker 1, which now leads more than its share: nothing is sent back to broker 3
        PartitionLeadership first = three.get(0);
        store.handOver(first.partition(), 3, first.leaderEpoch(), 0, 1).orElseThrow();
        passes(holding, 1, 1, 2, 3);
        assertThat(store.leadership()).as("no move to a draining broker").noneMatch(p -> p.targetLeader() == 3);

        // It releases the other (a clean release, any broker may take it): it is elected elsewhere
        PartitionLeadership second = three.get(1);
        store.handOver(second.partition(), 3, second.leaderEpoch(), 0, NONE).orElseThrow();
        passes(holding, 1, 1, 2, 3);
        assertThat(store.leadership()).filteredOn(p -> p.partition().equals(second.partition())).singleElement()
                .satisfies(p -> assertThat(p.leader()).as("elected, and not to the draining broker").isIn(1, 2));
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L));
        assertThat(store.leadership()).noneMatch(PartitionLeadership::moving);
    }

    @Test
    void aMoveRequestedToABrokerThatStartsDrainingIsSentToAnotherBroker() {
        Controller holding = twoMovesRequestedToAJoiningBrokerThree();
        List<PartitionLeadership> moving = store.leadership().stream().filter(PartitionLeadership::moving).toList();

        // Broker 3 drains before the hand-overs, and broker 4 joins: the same moves now go to broker 4
        assertThat(store.drain(3, incarnations[3])).isTrue();
        register(4);
        passes(holding, 1, 1, 2, 3, 4);

        assertThat(store.leadership()).filteredOn(PartitionLeadership::moving)
                .extracting(PartitionLeadership::partition).containsExactlyInAnyOrderElementsOf(
                        moving.stream().map(PartitionLeadership::partition).toList());
        assertThat(store.leadership()).filteredOn(PartitionLeadership::moving).allSatisfy(p -> {
            assertThat(p.targetLeader()).isEqualTo(4);
            assertThat(p.leaderEpoch()).as("a requested move, no election").isEqualTo(1);
        });

        // Broker 4 leaves too: with no other broker to take them, the moves are withdrawn
        assertThat(store.drain(4, incarnations[4])).isTrue();
        passes(holding, 1, 1, 2, 3, 4);
        assertThat(store.leadership()).noneMatch(PartitionLeadership::moving);
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L));
    }

    @Test
    void aReassignmentAsksTheLeaderToHandOverAndThePlacementKeepsThePartitionThere() {
        Controller holding = controller(1, clockOne);
        holding.runOnce();
        PartitionLeadership chosen = ledBy(1).get(0);
        TopicPartitionId partition = chosen.partition();

        assertThat(holding.reassign(partition, 2)).isTrue();

        assertThat(store.leadership()).filteredOn(p -> p.partition().equals(partition)).singleElement()
                .isEqualTo(new PartitionLeadership(partition, 1, 1, 2, 1));
        assertThat(holding.reassignments()).containsExactly(Map.entry(partition, 2));
        store.handOver(partition, 1, 1, 0, 2).orElseThrow();
        passes(holding, 3, 1, 2, 3);
        assertThat(store.leadership()).filteredOn(p -> p.partition().equals(partition)).singleElement()
                .satisfies(p -> {
                    assertThat(p.leader()).as("left where the admin put it").isEqualTo(2);
                    assertThat(p.moving()).isFalse();
                });

        assertThat(holding.cancelReassignment(partition)).isTrue();
        assertThat(holding.reassignments()).isEmpty();
    }

    @Test
    void aReassignmentIsRefusedWithoutTheLeaseToADeadBrokerOrForAnUnknownPartition() {
        Controller holding = controller(1, clockOne);
        Controller other = controller(2, clockTwo);
        holding.runOnce();
        other.runOnce();
        TopicPartitionId partition = ledBy(1).get(0).partition();

        assertThat(other.reassign(partition, 3)).as("not the controller").isFalse();
        assertThat(holding.reassign(partition, 9)).as("no such live broker").isFalse();
        assertThat(holding.reassign(new TopicPartitionId(UUID.randomUUID(), 0), 3)).as("no such partition").isFalse();
        assertThat(store.leadership()).noneMatch(PartitionLeadership::moving);
        assertThat(holding.reassignments()).isEmpty();
    }
}
