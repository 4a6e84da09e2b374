package io.strata.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LeaderPlacementTest {

    private static final UUID ORDERS = new UUID(0, 1);
    private static final UUID PAYMENTS = new UUID(0, 2);
    private static final int NONE = PartitionLeadership.NO_LEADER;
    private static final Map<TopicPartitionId, Integer> NO_PINS = Map.of();

    private static List<PartitionLeadership> partitions(UUID topic, int count, int leader) {
        List<PartitionLeadership> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(new PartitionLeadership(new TopicPartitionId(topic, p), leader, leader < 0 ? 0 : 1));
        }
        return partitions;
    }

    private static PartitionLeadership partition(UUID topic, int p, int leader, int target, int lastLeader) {
        return new PartitionLeadership(new TopicPartitionId(topic, p), leader, 2, target, lastLeader);
    }

    private static Map<Integer, Optional<String>> brokers(int... nodeIds) {
        Map<Integer, Optional<String>> racks = new HashMap<>();
        for (int nodeId : nodeIds) {
            racks.put(nodeId, Optional.empty());
        }
        return racks;
    }

    private static Map<Integer, Long> loadAfter(List<PartitionLeadership> current, Map<TopicPartitionId, Integer> plan) {
        return current.stream().collect(Collectors.groupingBy(
                p -> plan.getOrDefault(p.partition(), p.moving() ? p.targetLeader() : p.leader()), Collectors.counting()));
    }

    @Test
    void leaderlessPartitionsSpreadEvenlyAndEachTopicOverEveryBroker() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 3, NONE));
        current.addAll(partitions(PAYMENTS, 6, NONE));

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2, 3), NO_PINS);

        assertThat(plan).hasSize(9);
        assertThat(loadAfter(current, plan)).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L), Map.entry(3, 3L));
        assertThat(plan.entrySet().stream().filter(e -> e.getKey().topicId().equals(ORDERS)).map(Map.Entry::getValue))
                .containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void aBalancedLayoutWithLiveLeadersMovesNothing() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 2, 1));
        current.addAll(partitions(PAYMENTS, 2, 2));
        assertThat(LeaderPlacement.plan(current, brokers(1, 2), NO_PINS)).isEmpty();
    }

    @Test
    void aJoiningBrokerTakesOnlyTheExcessOfTheOthers() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 6, 1));
        current.addAll(partitions(PAYMENTS, 6, 2));

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2, 3), NO_PINS);

        assertThat(plan).hasSize(4).allSatisfy((partition, leader) -> assertThat(leader).isEqualTo(3));
        assertThat(loadAfter(current, plan)).containsOnly(Map.entry(1, 4L), Map.entry(2, 4L), Map.entry(3, 4L));
    }

    @Test
    void aLeaderlessPartitionWhoseLastLeaderIsNotLiveWaitsForIt() {
        List<PartitionLeadership> current = List.of(
                partition(ORDERS, 0, NONE, NONE, 9),  // taken offline: broker 9's disk may hold its tail
                partition(ORDERS, 1, 9, NONE, 9));    // its leader died and it is not offline yet

        assertThat(LeaderPlacement.plan(current, brokers(1, 2), NO_PINS)).isEmpty();
    }

    @Test
    void aLeaderlessPartitionGoesBackToItsLastLeaderWhenItIsLiveEvenAgainstTheBalance() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(PAYMENTS, 3, 2));
        current.add(partition(ORDERS, 0, NONE, NONE, 2));

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2), NO_PINS);

        assertThat(plan).containsEntry(new TopicPartitionId(ORDERS, 0), 2);
        assertThat(plan).doesNotContainValue(NONE);
    }

    @Test
    void aReleasedPartitionGoesWhereItSpreadsBest() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(PAYMENTS, 2, 2));
        current.add(partition(ORDERS, 0, NONE, NONE, NONE)); // handed over to no one: nothing on any disk

        assertThat(LeaderPlacement.plan(current, brokers(1, 2), NO_PINS))
                .containsExactly(Map.entry(new TopicPartitionId(ORDERS, 0), 1));
    }

    @Test
    void aPartitionMovingToALiveBrokerIsLeftAloneAndCountsAgainstItsTarget() {
        List<PartitionLeadership> current = new ArrayList<>();
        current.add(partition(ORDERS, 0, 1, 2, 1));
        current.add(partition(ORDERS, 1, 1, NONE, 1));
        current.add(partition(ORDERS, 2, 1, NONE, 1));
        current.add(partition(ORDERS, 3, NONE, NONE, NONE));

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2), NO_PINS);

        assertThat(plan).containsExactly(Map.entry(new TopicPartitionId(ORDERS, 3), 2));
    }

    @Test
    void aMoveToABrokerThatDiedIsWithdrawnOrSentElsewhere() {
        List<PartitionLeadership> current = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            current.add(partition(ORDERS, p, 1, 9, 1)); // all moving to broker 9, which died
        }

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2, 3), NO_PINS);

        assertThat(plan).hasSize(3).doesNotContainValue(9);
        assertThat(plan.values()).containsExactlyInAnyOrder(1, 2, 3); // 1: the move to 9 is withdrawn
    }

    @Test
    void aPinnedPartitionGoesToItsLiveBrokerEvenAgainstTheBalance() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 1, 1));
        current.addAll(partitions(PAYMENTS, 1, 2));
        TopicPartitionId orders0 = new TopicPartitionId(ORDERS, 0);

        assertThat(LeaderPlacement.plan(current, brokers(1, 2), Map.of(orders0, 2)))
                .containsEntry(orders0, 2)
                .containsEntry(new TopicPartitionId(PAYMENTS, 0), 1); // and the balance follows
        assertThat(LeaderPlacement.plan(current, brokers(1, 2), Map.of(orders0, 9))).as("pinned to a dead broker")
                .isEmpty();
    }

    @Test
    void pinnedPartitionsStayOnTheirBrokerAndOnlyTheOthersBalance() {
        List<PartitionLeadership> current = partitions(ORDERS, 4, 1);
        Map<TopicPartitionId, Integer> pins = Map.of(new TopicPartitionId(ORDERS, 0), 1,
                new TopicPartitionId(ORDERS, 1), 1, new TopicPartitionId(ORDERS, 2), 1);

        assertThat(LeaderPlacement.plan(current, brokers(1, 2), pins))
                .containsExactly(Map.entry(new TopicPartitionId(ORDERS, 3), 2));
    }

    @Test
    void aPinOnTheLeaderWithdrawsAMoveAwayFromIt() {
        List<PartitionLeadership> current = List.of(partition(ORDERS, 0, 1, 2, 1));
        TopicPartitionId orders0 = new TopicPartitionId(ORDERS, 0);

        assertThat(LeaderPlacement.plan(current, brokers(1, 2), Map.of(orders0, 1))).containsExactly(Map.entry(orders0, 1));
        assertThat(LeaderPlacement.plan(current, brokers(1, 2), Map.of(orders0, 2))).as("already moving there").isEmpty();
    }

    @Test
    void withRacksTheLeadersOfATopicSpreadOverRacksFirst() {
        Map<Integer, Optional<String>> racks = Map.of(1, Optional.of("a"), 2, Optional.of("a"), 3, Optional.of("b"));
        List<PartitionLeadership> current = partitions(ORDERS, 2, NONE);

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, racks, NO_PINS);

        assertThat(plan.values().stream().map(racks::get)).containsExactlyInAnyOrder(Optional.of("a"), Optional.of("b"));
    }

    @Test
    void noLiveBrokerMeansNoPlan() {
        List<PartitionLeadership> current = partitions(ORDERS, 2, NONE);
        assertThat(LeaderPlacement.plan(current, Map.of(), NO_PINS)).isEmpty();
    }
}
