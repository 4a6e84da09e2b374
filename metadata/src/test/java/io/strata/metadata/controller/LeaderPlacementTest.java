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
        List<PartitionLeadership> current = List.of(partition(ORDERS, 0, 1, NONE, 1), partition(ORDERS, 1, 2, NONE, 2),
                partition(PAYMENTS, 0, 2, NONE, 2), partition(PAYMENTS, 1, 1, NONE, 1), partition(PAYMENTS, 2, 1, NONE, 1));
        assertThat(LeaderPlacement.plan(current, brokers(1, 2), NO_PINS)).isEmpty();
    }

    @Test
    void aJoiningBrokerTakesOnlyTheExcessOfEachTopic() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 6, 1));
        current.addAll(partitions(PAYMENTS, 6, 2));

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2, 3), NO_PINS);

        assertThat(plan).as("each leader keeps 2 of its topic and gives 2 to each other broker").hasSize(8);
        assertThat(topicLoadAfter(current, plan, ORDERS)).containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
        assertThat(topicLoadAfter(current, plan, PAYMENTS)).containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
    }

    /** Leaders of {@code topic} per broker once {@code plan} is carried out. */
    private static Map<Integer, Long> topicLoadAfter(List<PartitionLeadership> current,
                                                     Map<TopicPartitionId, Integer> plan, UUID topic) {
        return loadAfter(current.stream().filter(p -> p.partition().topicId().equals(topic)).toList(), plan);
    }

    @Test
    void aReturningBrokerLeadsItsShareOfEveryTopicNotOnlyOfTheTotal() {
        // "spread" and the coordinator slots, 6 partitions each, led 3 + 3 by brokers 1 and 2 while broker 3 was away
        UUID spread = new UUID(0, 3);
        UUID slots = new UUID(0, 4);
        List<PartitionLeadership> current = new ArrayList<>();
        for (UUID topic : List.of(spread, slots)) {
            for (int p = 0; p < 6; p++) {
                current.add(partition(topic, p, p % 2 == 0 ? 1 : 2, NONE, p % 2 == 0 ? 1 : 2));
            }
        }

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2, 3), NO_PINS);

        assertThat(plan).as("the fewest moves: two of each topic, all to broker 3").hasSize(4)
                .allSatisfy((partition, leader) -> assertThat(leader).isEqualTo(3));
        for (UUID topic : List.of(spread, slots)) {
            assertThat(topicLoadAfter(current, plan, topic)).as("leaders of topic %s", topic)
                    .containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
        }
    }

    @Test
    void eachTopicIsSpreadToFloorOrCeilingPerBrokerAndTiesGoToTheLeastLoadedBroker() {
        // 4 partitions over 3 brokers: one broker leads 2. Broker 1 leads the most overall, so it is not that one.
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 4, NONE));
        current.addAll(partitions(PAYMENTS, 3, 1));

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2, 3), NO_PINS);

        assertThat(topicLoadAfter(current, plan, ORDERS)).containsOnlyKeys(1, 2, 3)
                .containsEntry(1, 1L).extractingByKeys(2, 3).containsExactlyInAnyOrder(1L, 2L);
        assertThat(topicLoadAfter(current, plan, PAYMENTS)).containsOnly(Map.entry(1, 1L), Map.entry(2, 1L),
                Map.entry(3, 1L));
        assertThat(loadAfter(current, plan).values()).containsExactlyInAnyOrder(2L, 2L, 3L);
    }

    @Test
    void aPartitionWithinItsTopicsBoundNeverMoves() {
        // 4 partitions over 3 brokers: 2 + 2 + 0 is over the bound on one broker only; one move, not two
        List<PartitionLeadership> current = List.of(partition(ORDERS, 0, 1, NONE, 1), partition(ORDERS, 1, 1, NONE, 1),
                partition(ORDERS, 2, 2, NONE, 2), partition(ORDERS, 3, 2, NONE, 2));

        Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(1, 2, 3), NO_PINS);

        assertThat(plan).hasSize(1).containsValue(3);
    }

    @Test
    void randomLayoutsEndWithinEachTopicsBoundWithTheFewestMoves() {
        java.util.Random random = new java.util.Random(14);
        for (int round = 0; round < 500; round++) {
            int brokerCount = 1 + random.nextInt(5);
            int[] nodeIds = java.util.stream.IntStream.rangeClosed(1, brokerCount).toArray();
            List<PartitionLeadership> current = new ArrayList<>();
            int topicCount = 1 + random.nextInt(4);
            int fewestMoves = 0;
            for (int t = 0; t < topicCount; t++) {
                UUID topic = new UUID(1, t);
                int count = 1 + random.nextInt(12);
                Map<Integer, Integer> has = new HashMap<>();
                for (int p = 0; p < count; p++) {
                    int leader = random.nextInt(4) == 0 ? NONE : nodeIds[random.nextInt(brokerCount)];
                    current.add(partition(topic, p, leader, NONE, leader));
                    if (leader != NONE) {
                        has.merge(leader, 1, Integer::sum);
                    }
                }
                int floor = count / brokerCount;
                int over = (int) has.values().stream().filter(n -> n > floor).count();
                fewestMoves += has.values().stream().mapToInt(n -> Math.max(0, n - floor)).sum()
                        - Math.min(count % brokerCount, over);
            }

            Map<TopicPartitionId, Integer> plan = LeaderPlacement.plan(current, brokers(nodeIds), NO_PINS);

            String layout = "round " + round + ": " + current;
            assertThat(plan.keySet().stream().filter(tp -> current.stream()
                    .anyMatch(p -> p.partition().equals(tp) && p.hasLeader()))).as(layout).hasSize(fewestMoves);
            for (int t = 0; t < topicCount; t++) {
                UUID topic = new UUID(1, t);
                long count = current.stream().filter(p -> p.partition().topicId().equals(topic)).count();
                Map<Integer, Long> after = topicLoadAfter(current, plan, topic);
                assertThat(after).as(layout).doesNotContainKey(NONE);
                for (int nodeId : nodeIds) {
                    assertThat(after.getOrDefault(nodeId, 0L)).as(layout)
                            .isBetween(count / brokerCount, (count + brokerCount - 1) / brokerCount);
                }
            }
        }
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
        List<PartitionLeadership> current = new ArrayList<>(partitions(PAYMENTS, 1, 2));
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
    void aMoveToABrokerThatMayNotLeadIsSentElsewhereRatherThanWithdrawnAndReplacedByAnother() {
        // Broker 1 leads 3 of ORDERS over 2 brokers (bound 2); ORDERS-0 was asked to move to broker 9, now draining
        List<PartitionLeadership> current = List.of(partition(ORDERS, 0, 1, 9, 1), partition(ORDERS, 1, 1, NONE, 1),
                partition(ORDERS, 2, 1, NONE, 1));

        assertThat(LeaderPlacement.plan(current, brokers(1, 2), NO_PINS))
                .containsExactly(Map.entry(new TopicPartitionId(ORDERS, 0), 2));
    }

    @Test
    void aPinnedPartitionGoesToItsLiveBrokerEvenAgainstTheBalance() {
        List<PartitionLeadership> current = List.of(partition(ORDERS, 0, 1, NONE, 1), partition(ORDERS, 1, 2, NONE, 2));
        TopicPartitionId orders0 = new TopicPartitionId(ORDERS, 0);

        assertThat(LeaderPlacement.plan(current, brokers(1, 2), Map.of(orders0, 2)))
                .containsEntry(orders0, 2)
                .containsEntry(new TopicPartitionId(ORDERS, 1), 1); // and the topic's balance follows
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
