package io.strata.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LeaderPlacementTest {

    private static final UUID ORDERS = new UUID(0, 1);
    private static final UUID PAYMENTS = new UUID(0, 2);

    private static List<PartitionLeadership> partitions(UUID topic, int count, int leader) {
        List<PartitionLeadership> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(new PartitionLeadership(new TopicPartitionId(topic, p), leader, leader < 0 ? 0 : 1));
        }
        return partitions;
    }

    private static Map<Integer, Optional<String>> brokers(int... nodeIds) {
        Map<Integer, Optional<String>> racks = new HashMap<>();
        for (int nodeId : nodeIds) {
            racks.put(nodeId, Optional.empty());
        }
        return racks;
    }

    private static Set<TopicPartitionId> all(List<PartitionLeadership> partitions) {
        return partitions.stream().map(PartitionLeadership::partition).collect(Collectors.toSet());
    }

    private static Map<Integer, Long> loadAfter(List<PartitionLeadership> current, Map<TopicPartitionId, Integer> moves) {
        return current.stream().collect(Collectors.groupingBy(
                p -> moves.getOrDefault(p.partition(), p.leader()), Collectors.counting()));
    }

    @Test
    void leaderlessPartitionsSpreadEvenlyAndEachTopicOverEveryBroker() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 3, -1));
        current.addAll(partitions(PAYMENTS, 6, -1));

        Map<TopicPartitionId, Integer> moves = LeaderPlacement.plan(current, brokers(1, 2, 3), all(current));

        assertThat(moves).hasSize(9);
        assertThat(loadAfter(current, moves)).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L), Map.entry(3, 3L));
        assertThat(moves.entrySet().stream().filter(e -> e.getKey().topicId().equals(ORDERS)).map(Map.Entry::getValue))
                .containsExactlyInAnyOrder(1, 2, 3);
    }

    @Test
    void aBalancedLayoutWithLiveLeadersMovesNothing() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 2, 1));
        current.addAll(partitions(PAYMENTS, 2, 2));
        assertThat(LeaderPlacement.plan(current, brokers(1, 2), all(current))).isEmpty();
    }

    @Test
    void aJoiningBrokerTakesOnlyTheExcessOfTheOthers() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 6, 1));
        current.addAll(partitions(PAYMENTS, 6, 2));

        Map<TopicPartitionId, Integer> moves = LeaderPlacement.plan(current, brokers(1, 2, 3), all(current));

        assertThat(moves).hasSize(4).allSatisfy((partition, leader) -> assertThat(leader).isEqualTo(3));
        assertThat(loadAfter(current, moves)).containsOnly(Map.entry(1, 4L), Map.entry(2, 4L), Map.entry(3, 4L));
    }

    @Test
    void aDeadLeadersPartitionsMoveOnlyWhenTheCallerAllowsIt() {
        List<PartitionLeadership> current = new ArrayList<>(partitions(ORDERS, 2, 1));
        current.addAll(partitions(PAYMENTS, 2, 9)); // broker 9 is dead
        TopicPartitionId held = new TopicPartitionId(PAYMENTS, 0);
        TopicPartitionId allowed = new TopicPartitionId(PAYMENTS, 1);

        Map<TopicPartitionId, Integer> moves = LeaderPlacement.plan(current, brokers(1, 2), Set.of(allowed));

        assertThat(moves).containsOnlyKeys(allowed).containsEntry(allowed, 2);
        assertThat(moves).doesNotContainKey(held);
    }

    @Test
    void withRacksTheLeadersOfATopicSpreadOverRacksFirst() {
        Map<Integer, Optional<String>> racks = Map.of(1, Optional.of("a"), 2, Optional.of("a"), 3, Optional.of("b"));
        List<PartitionLeadership> current = partitions(ORDERS, 2, -1);

        Map<TopicPartitionId, Integer> moves = LeaderPlacement.plan(current, racks, all(current));

        assertThat(moves.values().stream().map(racks::get)).containsExactlyInAnyOrder(Optional.of("a"), Optional.of("b"));
    }

    @Test
    void noLiveBrokerMeansNoPlan() {
        List<PartitionLeadership> current = partitions(ORDERS, 2, -1);
        assertThat(LeaderPlacement.plan(current, Map.of(), all(current))).isEmpty();
    }
}
