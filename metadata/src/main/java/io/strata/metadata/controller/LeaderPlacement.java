package io.strata.metadata.controller;

import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Where partition leadership should be, given the live brokers (and their racks) and the partitions an admin
 * reassigned: the controller's plan. A pure function, so its rules are tested on their own. A partition is "led
 * live" when its leader is one of the live brokers; any other partition is treated as leaderless (the controller
 * takes a dead leader's partitions offline first).
 * <ol>
 *   <li>A leaderless partition whose {@code lastLeader} names a broker may hold acknowledged records only on that
 *       broker's disk (Kafka's replication factor 1 with unclean leader election off): it goes to that broker when
 *       it is live, and otherwise waits (no plan for it).</li>
 *   <li>A partition pinned by an admin ({@code pinned}, {@code kafka-reassign-partitions}) goes to its pinned
 *       broker while that broker is live (a requested move elsewhere is withdrawn when the pin is its leader).</li>
 *   <li>A partition already moving to a live broker stays on that move (it counts against the target).</li>
 *   <li>A partition led live keeps its leader, unless that broker leads more than its share
 *       ({@code ceil(partitions / live brokers)}): only the excess moves (fewest moves, as Kafka's preferred-leader
 *       balancing aims for). A move to a broker that died is replaced: by staying, when the leader is under its
 *       share, or by another target.</li>
 *   <li>Every other partition (leaderless without a last leader, over its leader's share, moving to a dead broker)
 *       goes to the live broker that leads the fewest partitions of that topic on its rack (rack-aware spread, when
 *       racks are set), then the fewest partitions overall, then the lowest node id.</li>
 * </ol>
 * The result lists only the partitions that need an action: a leaderless partition with the broker to elect, or
 * a partition led live with the broker it should be handed over to, which is its own leader when a requested move
 * is to be withdrawn. The controller elects the first kind and asks the leader to hand over the second; it never
 * elects over a live leader.
 */
public final class LeaderPlacement {

    private LeaderPlacement() {
    }

    /**
     * @param current every partition's leadership now
     * @param racks   the live brokers, node id to rack (empty when {@code broker.rack} is not set)
     * @param pinned  partitions an admin reassigned, to the broker they were put on
     * @return partition to the broker it should be led by, for the partitions that need an action
     */
    public static Map<TopicPartitionId, Integer> plan(List<PartitionLeadership> current,
                                                      Map<Integer, Optional<String>> racks,
                                                      Map<TopicPartitionId, Integer> pinned) {
        Map<TopicPartitionId, Integer> plan = new TreeMap<>();
        if (racks.isEmpty()) {
            return plan;
        }
        Load load = new Load(racks);
        List<PartitionLeadership> ordered = current.stream()
                .sorted(Comparator.comparing(PartitionLeadership::partition)).toList();
        List<PartitionLeadership> unsettled = new ArrayList<>();
        int placeable = 0;
        // rules 1-3: where a partition must go (or must wait)
        for (PartitionLeadership p : ordered) {
            boolean ledLive = racks.containsKey(p.leader());
            Integer pin = pinned.get(p.partition());
            boolean pinLive = pin != null && racks.containsKey(pin);
            if (!ledLive && p.lastLeader() != PartitionLeadership.NO_LEADER) {
                if (racks.containsKey(p.lastLeader())) {
                    placeable++;
                    load.add(p, p.lastLeader());
                    plan.put(p.partition(), p.lastLeader());
                }
                continue; // its last leader is not live: it waits for that broker
            }
            placeable++;
            if (pinLive) {
                load.add(p, pin);
                if (!ledLive || pin != p.leader() && pin != p.targetLeader() || pin == p.leader() && p.moving()) {
                    plan.put(p.partition(), pin);
                }
            } else if (ledLive && p.moving() && racks.containsKey(p.targetLeader())) {
                load.add(p, p.targetLeader());
            } else {
                unsettled.add(p);
            }
        }
        // rule 4: live leaders keep their partitions, up to their share
        int share = (int) Math.ceil((double) placeable / racks.size());
        List<PartitionLeadership> toPlace = new ArrayList<>();
        for (PartitionLeadership p : unsettled) {
            if (racks.containsKey(p.leader()) && load.of(p.leader()) < share) {
                load.add(p, p.leader());
                if (p.moving()) {
                    plan.put(p.partition(), p.leader()); // its target died: withdraw the move
                }
            } else {
                toPlace.add(p);
            }
        }
        // rule 5: the rest go where they spread best
        for (PartitionLeadership p : toPlace) {
            int target = load.best(p.partition().topicId());
            load.add(p, target);
            if (target != p.leader() || p.moving()) {
                plan.put(p.partition(), target);
            }
        }
        return plan;
    }

    /** Partitions per live broker and per (topic, rack), as the plan assigns them. */
    private static final class Load {
        private final Map<Integer, Optional<String>> racks;
        private final Map<Integer, Integer> byBroker = new HashMap<>();
        private final Map<String, Integer> topicOnRack = new HashMap<>();

        Load(Map<Integer, Optional<String>> racks) {
            this.racks = racks;
            racks.keySet().forEach(broker -> byBroker.put(broker, 0));
        }

        void add(PartitionLeadership partition, int broker) {
            byBroker.merge(broker, 1, Integer::sum);
            topicOnRack.merge(key(partition.partition().topicId(), racks.get(broker)), 1, Integer::sum);
        }

        int of(int broker) {
            return byBroker.get(broker);
        }

        int best(UUID topic) {
            return racks.keySet().stream()
                    .min(Comparator.<Integer>comparingInt(broker -> topicOnRack.getOrDefault(key(topic, racks.get(broker)), 0))
                            .thenComparingInt(byBroker::get)
                            .thenComparingInt(broker -> broker))
                    .orElseThrow();
        }

        /** Partitions of a topic on a rack; brokers without a rack share one, and spread by load alone. */
        private static String key(UUID topic, Optional<String> rack) {
            return topic + "/" + rack.orElse("");
        }
    }
}
