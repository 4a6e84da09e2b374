package io.strata.metadata.controller;

import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Where partition leadership should be, given the live brokers (and their racks): the controller's plan. A
 * pure function, so its rules are tested on their own:
 * <ol>
 *   <li>a partition whose leader is alive keeps it, unless that broker leads more than its share
 *       ({@code ceil(partitions / brokers)}): only the excess moves (fewest moves, as Kafka's preferred-leader
 *       balancing aims for);</li>
 *   <li>a partition without a live leader, among those the caller allows to move ({@code movable}), goes to the
 *       live broker that leads the fewest partitions of that topic on its rack (rack-aware spread, when racks are
 *       set), then the fewest partitions overall, then the lowest node id.</li>
 * </ol>
 * The result lists only the partitions whose leader changes.
 */
public final class LeaderPlacement {

    private LeaderPlacement() {
    }

    /**
     * @param current  every partition's leadership now
     * @param racks    the live brokers, node id to rack (empty when {@code broker.rack} is not set)
     * @param movable  the partitions without a live leader that may be given one now (the caller holds back,
     *                 for example, a partition whose acknowledged tail is only on a dead broker's disk)
     * @return partition to its new leader, for the partitions that change
     */
    public static Map<TopicPartitionId, Integer> plan(List<PartitionLeadership> current,
                                                      Map<Integer, Optional<String>> racks,
                                                      Set<TopicPartitionId> movable) {
        Map<TopicPartitionId, Integer> moves = new TreeMap<>();
        if (racks.isEmpty()) {
            return moves;
        }
        int share = (int) Math.ceil((double) current.size() / racks.size());
        Map<Integer, Integer> load = new HashMap<>();
        Map<String, Integer> topicOnRack = new HashMap<>();
        racks.keySet().forEach(broker -> load.put(broker, 0));

        // 1. live leaders keep their partitions, up to their share
        List<PartitionLeadership> ordered = current.stream()
                .sorted(Comparator.comparing(PartitionLeadership::partition)).toList();
        List<PartitionLeadership> toPlace = new java.util.ArrayList<>();
        for (PartitionLeadership leadership : ordered) {
            int leader = leadership.leader();
            if (racks.containsKey(leader) && load.get(leader) < share) {
                load.merge(leader, 1, Integer::sum);
                topicOnRack.merge(key(leadership.partition().topicId(), racks.get(leader)), 1, Integer::sum);
            } else if (racks.containsKey(leader) || movable.contains(leadership.partition())) {
                toPlace.add(leadership); // over its leader's share, or leaderless and allowed to move
            }
        }
        // 2. the rest go where they spread best
        for (PartitionLeadership leadership : toPlace) {
            UUID topic = leadership.partition().topicId();
            int target = racks.keySet().stream()
                    .min(Comparator.<Integer>comparingInt(broker -> topicOnRack.getOrDefault(key(topic, racks.get(broker)), 0))
                            .thenComparingInt(load::get)
                            .thenComparingInt(broker -> broker))
                    .orElseThrow();
            load.merge(target, 1, Integer::sum);
            topicOnRack.merge(key(topic, racks.get(target)), 1, Integer::sum);
            if (target != leadership.leader()) {
                moves.put(leadership.partition(), target);
            }
        }
        return moves;
    }

    /** Partitions of a topic on a rack; brokers without a rack share one, and spread by load alone. */
    private static String key(UUID topic, Optional<String> rack) {
        return topic + "/" + rack.orElse("");
    }
}
