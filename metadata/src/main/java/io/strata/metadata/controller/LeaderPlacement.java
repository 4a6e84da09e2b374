package io.strata.metadata.controller;

import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Where partition leadership should be, given the brokers that may lead (live and not draining, with their racks)
 * and the partitions an admin reassigned: the controller's plan. A pure function, so its rules are tested on their
 * own. A partition is "led live" when its leader is one of those brokers; any other partition is treated as
 * leaderless (the controller takes a dead leader's partitions offline first, and a draining broker's partitions,
 * whose last leader is that broker, wait: it hands them over itself).
 *
 * <p>Leadership is balanced per topic, as Kafka assigns it: with {@code n} partitions of a topic and {@code b}
 * brokers, each broker leads {@code floor(n / b)} or {@code ceil(n / b)} of them (its bound), and at most
 * {@code n mod b} brokers lead the ceiling; {@code n} counts every partition of the topic, including those that
 * wait for their last leader or for a draining leader. So {@code kafka-topics --describe} shows each topic's
 * leaders spread, and the totals per broker follow.
 * <ol>
 *   <li>A leaderless partition whose {@code lastLeader} names a broker may hold acknowledged records only on that
 *       broker's disk (Kafka's replication factor 1 with unclean leader election off): it goes to that broker when
 *       it may lead, and otherwise waits (no plan for it).</li>
 *   <li>A partition pinned by an admin ({@code pinned}, {@code kafka-reassign-partitions}) goes to its pinned
 *       broker while that broker may lead (a requested move elsewhere is withdrawn when the pin is its leader).
 *       Rules 1 and 2 hold even against the bound.</li>
 *   <li>Every other partition is held by a broker when it is led live (held by its leader) or already moving to a
 *       broker that may lead (held by that target). A broker keeps what it holds of a topic up to its bound: so a
 *       partition within its topic's bound never moves (fewest moves, as Kafka's preferred-leader balancing aims
 *       for). Where more brokers hold the ceiling than may, those that lead the most partitions overall give up
 *       one more (ties by total load, then the higher node id gives it up). A broker keeps the partitions it leads
 *       and nobody asked to move first, then those moving to a broker that may not lead (kept: the move is
 *       withdrawn), then those moving to it; so an existing move is re-targeted or withdrawn rather than a new one
 *       started.</li>
 *   <li>The rest (leaderless without a last leader, over their holder's bound, moving to a broker that may not
 *       lead) go, topic by topic: back to their live leader when it is under its bound (the requested move is
 *       withdrawn), or else to the broker under its bound that leads the fewest partitions of that topic on its
 *       rack (rack-aware spread, when racks are set), then the fewest of that topic, then the fewest overall, then
 *       the lowest node id.</li>
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
     * @param racks   the brokers that may lead (live and not draining), node id to rack (empty when
     *                {@code broker.rack} is not set)
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
        List<PartitionLeadership> ordered = current.stream()
                .sorted(Comparator.comparing(PartitionLeadership::partition)).toList();
        Map<UUID, Topic> topics = new LinkedHashMap<>();
        ordered.forEach(p -> topics.computeIfAbsent(p.partition().topicId(), Topic::new).partitions++);
        topics.values().forEach(topic -> topic.bound(racks.size()));
        Load load = new Load(racks, topics);
        Map<Integer, Integer> held = new HashMap<>(); // what each broker has now, over all topics: the tie-breaker
        // rules 1-2: where a partition must go (or must wait); the others are held by a broker, or not
        for (PartitionLeadership p : ordered) {
            Topic topic = topics.get(p.partition().topicId());
            boolean ledLive = racks.containsKey(p.leader());
            Integer pin = pinned.get(p.partition());
            if (!ledLive && p.lastLeader() != PartitionLeadership.NO_LEADER) {
                if (racks.containsKey(p.lastLeader())) {
                    load.add(p, p.lastLeader());
                    held.merge(p.lastLeader(), 1, Integer::sum);
                    plan.put(p.partition(), p.lastLeader());
                }
                continue; // its last leader may not lead: it waits for that broker
            }
            if (pin != null && racks.containsKey(pin)) {
                load.add(p, pin);
                held.merge(pin, 1, Integer::sum);
                if (!ledLive || pin != p.leader() && pin != p.targetLeader() || pin == p.leader() && p.moving()) {
                    plan.put(p.partition(), pin);
                }
            } else if (ledLive && p.moving() && racks.containsKey(p.targetLeader())) {
                topic.holder(p.targetLeader()).incoming.add(p);
                held.merge(p.targetLeader(), 1, Integer::sum);
            } else if (ledLive) {
                (p.moving() ? topic.holder(p.leader()).ledMoving : topic.holder(p.leader()).led).add(p);
                held.merge(p.leader(), 1, Integer::sum);
            } else {
                topic.unsettled.add(p);
            }
        }
        // rule 3: each broker keeps what it holds of each topic, up to its bound
        Comparator<Integer> fewestHeld = Comparator.<Integer>comparingInt(b -> held.getOrDefault(b, 0))
                .thenComparingInt(b -> b);
        for (Topic topic : topics.values()) {
            topic.holders.keySet().stream().sorted(fewestHeld).forEach(broker -> {
                int room = load.room(topic, broker);
                for (PartitionLeadership p : topic.holders.get(broker).inKeepingOrder()) {
                    if (room-- > 0) {
                        load.add(p, broker);
                        if (p.moving() && p.leader() == broker) {
                            plan.put(p.partition(), broker); // its target may not lead: withdraw the move
                        }
                    } else {
                        topic.unsettled.add(p);
                    }
                }
            });
        }
        // rule 4: the rest go where they spread best
        for (Topic topic : topics.values()) {
            topic.unsettled.sort(Comparator.comparing(PartitionLeadership::partition));
            for (PartitionLeadership p : topic.unsettled) {
                int target = racks.containsKey(p.leader()) && load.room(topic, p.leader()) > 0
                        ? p.leader() : load.best(topic);
                load.add(p, target);
                if (target != p.leader() || p.moving()) {
                    plan.put(p.partition(), target);
                }
            }
        }
        return plan;
    }

    /**
     * What one broker holds of a topic before the plan: partitions it leads (with no move requested, or moving to
     * a broker that may not lead), and partitions moving to it.
     */
    private static final class Holding {
        private final List<PartitionLeadership> led = new ArrayList<>();
        private final List<PartitionLeadership> ledMoving = new ArrayList<>();
        private final List<PartitionLeadership> incoming = new ArrayList<>();

        /**
         * The order in which a broker keeps what it holds, each kind in partition order: what it leads and nobody
         * asked to move (keeping it is no action at all), then what it leads with a move to a broker that may not
         * lead (over the bound, such a move is sent elsewhere: one action, not a withdrawal plus a new move), then
         * what moves to it (over the bound, such a move is withdrawn or sent elsewhere, before anything new).
         */
        List<PartitionLeadership> inKeepingOrder() {
            List<PartitionLeadership> all = new ArrayList<>(led);
            all.addAll(ledMoving);
            all.addAll(incoming);
            return all;
        }
    }

    /** One topic: its bound over the brokers, what each broker holds of it, and what has no place yet. */
    private static final class Topic {
        private final UUID id;
        private int partitions;
        private int floor;
        private int ceilings;
        private final Map<Integer, Holding> holders = new TreeMap<>();
        private final List<PartitionLeadership> unsettled = new ArrayList<>();

        Topic(UUID id) {
            this.id = id;
        }

        /** Each of {@code brokers} leads {@code floor} partitions, {@code ceilings} of them one more. */
        void bound(int brokers) {
            floor = partitions / brokers;
            ceilings = partitions % brokers;
        }

        Holding holder(int broker) {
            return holders.computeIfAbsent(broker, b -> new Holding());
        }
    }

    /** Partitions per broker (of all topics, of each topic) and per (topic, rack), as the plan assigns them. */
    private static final class Load {
        private final Map<Integer, Optional<String>> racks;
        private final Map<UUID, Topic> topics;
        private final Map<Integer, Integer> byBroker = new HashMap<>();
        private final Map<String, Integer> topicOnBroker = new HashMap<>();
        private final Map<String, Integer> topicOnRack = new HashMap<>();
        private final Map<UUID, Integer> ceilingsTaken = new HashMap<>();

        Load(Map<Integer, Optional<String>> racks, Map<UUID, Topic> topics) {
            this.racks = racks;
            this.topics = topics;
            racks.keySet().forEach(broker -> byBroker.put(broker, 0));
        }

        void add(PartitionLeadership partition, int broker) {
            UUID topic = partition.partition().topicId();
            byBroker.merge(broker, 1, Integer::sum);
            int count = topicOnBroker.merge(topic + "@" + broker, 1, Integer::sum);
            topicOnRack.merge(rackKey(topic, racks.get(broker)), 1, Integer::sum);
            if (count == topics.get(topic).floor + 1) {
                ceilingsTaken.merge(topic, 1, Integer::sum); // this broker took one of the topic's ceilings
            }
        }

        private int of(Topic topic, int broker) {
            return topicOnBroker.getOrDefault(topic.id + "@" + broker, 0);
        }

        /** How many more partitions of {@code topic} {@code broker} may lead within its bound. */
        int room(Topic topic, int broker) {
            int count = of(topic, broker);
            if (count > topic.floor) {
                return 0;
            }
            boolean ceilingLeft = ceilingsTaken.getOrDefault(topic.id, 0) < topic.ceilings;
            return topic.floor - count + (ceilingLeft ? 1 : 0);
        }

        /** The broker under its bound that spreads {@code topic} best; the least loaded one when none is under. */
        int best(Topic topic) {
            List<Integer> under = racks.keySet().stream().filter(broker -> room(topic, broker) > 0).toList();
            return (under.isEmpty() ? racks.keySet() : under).stream()
                    .min(Comparator.<Integer>comparingInt(broker -> topicOnRack.getOrDefault(
                                    rackKey(topic.id, racks.get(broker)), 0))
                            .thenComparingInt(broker -> of(topic, broker))
                            .thenComparingInt(byBroker::get)
                            .thenComparingInt(broker -> broker))
                    .orElseThrow();
        }

        /** Partitions of a topic on a rack; brokers without a rack share one, and spread by load alone. */
        private static String rackKey(UUID topic, Optional<String> rack) {
            return topic + "/" + rack.orElse("");
        }
    }
}
