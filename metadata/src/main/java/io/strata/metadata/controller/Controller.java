package io.strata.metadata.controller;

import io.strata.metadata.BrokerState;
import io.strata.metadata.ControllerState;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller role of one broker, one {@link #runOnce() pass} at a time (the broker calls it every heartbeat
 * interval). Every broker runs one; at most one holds the controller lease and acts:
 * <ul>
 *   <li>a candidate watches the lease; when its holder's renewals stood still for a whole session timeout on
 *       this broker's monotonic clock, it takes the lease over by a compare-and-set on what it saw (the next
 *       controller epoch); it never judges by stored timestamps (CLUSTER.md rule 8);</li>
 *   <li>the holder renews the lease each pass; a failed renewal (another broker holds it) ends its tenure at once,
 *       and so does not having renewed for a session timeout minus one heartbeat interval on its own clock;</li>
 *   <li>while it holds the lease it reads the brokers ({@link BrokerLiveness}) and the leadership and, each write
 *       conditional on its controller epoch and the partition's epoch (a lost race is re-read at the next pass):
 *       <ol>
 *         <li>takes every partition whose leader is dead offline ({@link MetadataStore#takeOffline}): leaderless
 *             at the next epoch, so nothing the dead broker still tries passes the fence;</li>
 *         <li>gives a leaderless partition a leader ({@link MetadataStore#electLeader}): the
 *             {@link LeaderPlacement placement's} choice when no broker's disk holds its tail (its last leader
 *             handed over cleanly, or it never had one), and otherwise only its last leader, once that broker is
 *             live again (Kafka's replication factor 1 with unclean leader election off);</li>
 *         <li>moves leadership away from a live leader (a broker joined, imbalance, racks, an admin's
 *             reassignment) only by asking it to hand over ({@link MetadataStore#requestMove}), never by an
 *             election over it; a partition already moving is left alone unless its target died or drains.</li>
 *       </ol></li>
 * </ul>
 * A draining broker ({@link MetadataStore#drain}: its planned shutdown began) is live but may not lead: it is no
 * target of an election, of the placement or of a reassignment; the partitions it still leads are left to it (it
 * hands them over itself, and they are not taken offline while it renews); a move already requested to it is sent
 * to another broker, or withdrawn when its leader is within its share.
 * Reassignments ({@link #reassign}) are pins held in this controller's memory: the placement keeps a pinned
 * partition on its broker while that broker is live. They are forgotten when this broker loses the lease, and a
 * new controller does not know them (its placement may move such a partition again to balance the load).
 *
 * <p>Thread-safety: {@link #runOnce()}, {@link #reassign}, {@link #cancelReassignment} and
 * {@link #reassignments()} are serialized on this object (they block on the database: call them off the event
 * loop); {@link #epoch()} may be called from any thread.
 */
public final class Controller {
    private static final Logger LOGGER = LoggerFactory.getLogger(Controller.class);

    private final MetadataStore store;
    private final int nodeId;
    private final UUID incarnation;
    private final long sessionNanos;
    private final long marginNanos;
    private final LongSupplier nanoClock;
    private final Map<TopicPartitionId, Integer> pinned = new HashMap<>();

    private Optional<ControllerState> watched = Optional.empty();
    private long watchedSince;
    private volatile OptionalLong epoch = OptionalLong.empty();
    private volatile long lastRenewalSent;
    /**
     * Fed on every pass, as candidate and as holder, so that a new controller judges the brokers by what it watched
     * before it took the lease (same monotonic clock, same blind-gap rule): a broker that died with the old
     * controller is dead a session after it stopped, not a session after the takeover.
     */
    private final BrokerLiveness liveness;
    private Set<Integer> draining = Set.of();
    private volatile boolean tailsInBucket;

    public Controller(MetadataStore store, int nodeId, UUID incarnation, Duration sessionTimeout,
                      Duration heartbeatInterval, LongSupplier nanoClock) {
        this.store = store;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.sessionNanos = sessionTimeout.toNanos();
        this.marginNanos = heartbeatInterval.toNanos();
        this.nanoClock = nanoClock;
        this.liveness = new BrokerLiveness(sessionTimeout, nanoClock);
    }

    /**
     * Says that every acknowledged record of every partition is in the bucket or in a committed write-ahead-log
     * range (the WAL is on): no broker's disk holds a tail, so a dead leader's partition goes to any live broker at
     * once instead of waiting for that broker (the last-leader rule is dropped).
     */
    public void setTailsInBucket(boolean inBucket) {
        this.tailsInBucket = inBucket;
    }

    /** The controller epoch this broker holds the lease at, if it does (as of its last pass). */
    public OptionalLong epoch() {
        OptionalLong held = epoch;
        if (held.isPresent() && nanoClock.getAsLong() - lastRenewalSent >= sessionNanos - marginNanos) {
            return OptionalLong.empty(); // not renewed in time: another broker may take over any moment now
        }
        return held;
    }

    /** One pass: take, keep or lose the lease, and while holding it, place leadership. */
    public synchronized void runOnce() {
        if (epoch.isPresent()) {
            renew();
        } else {
            contend();
        }
        OptionalLong held = epoch();
        if (held.isPresent()) {
            placeLeadership(held.getAsLong());
        }
    }

    /**
     * An admin's reassignment ({@code kafka-reassign-partitions}): pins {@code partition} to {@code target} and asks
     * its live leader to hand it over now (a lost race is retried by the next pass). A leaderless partition is
     * given to {@code target} by the next pass, unless its last leader's disk holds its tail (then it goes to that
     * broker first, and is handed over from there). The pin lasts while this broker holds the lease.
     *
     * @return false when this broker does not hold the controller lease, {@code target} is not a live broker or is
     *         draining, or there is no such partition
     */
    public synchronized boolean reassign(TopicPartitionId partition, int target) {
        OptionalLong held = epoch();
        if (held.isEmpty() || !liveness.alive().contains(target)
                || store.brokers().stream().anyMatch(b -> b.nodeId() == target && b.draining())) {
            return false;
        }
        Optional<PartitionLeadership> current = store.leadership().stream()
                .filter(p -> p.partition().equals(partition)).findFirst();
        if (current.isEmpty()) {
            return false;
        }
        pinned.put(partition, target);
        PartitionLeadership before = current.get();
        LOGGER.info("Reassignment: {} is pinned to broker {} (leader now: {})", partition, target,
                before.hasLeader() ? "broker " + before.leader() : "none");
        if (before.hasLeader() && before.leader() != target && before.targetLeader() != target
                && liveness.alive().contains(before.leader())) {
            requestMove(held.getAsLong(), before, target);
        }
        return true;
    }

    /** Withdraws an admin's reassignment of {@code partition} (the placement may move it again); false when none. */
    public synchronized boolean cancelReassignment(TopicPartitionId partition) {
        return pinned.remove(partition) != null;
    }

    /** The partitions an admin reassigned while this broker holds the lease, to the broker each is pinned to. */
    public synchronized Map<TopicPartitionId, Integer> reassignments() {
        return Map.copyOf(pinned);
    }

    private void renew() {
        long sent = nanoClock.getAsLong();
        if (store.renewController(nodeId, incarnation, epoch.getAsLong())) {
            lastRenewalSent = sent;
            return;
        }
        LOGGER.warn("Broker {} is no longer the controller (epoch {}): another broker took the lease", nodeId,
                epoch.getAsLong());
        epoch = OptionalLong.empty();
        pinned.clear();
    }

    private void contend() {
        long now = nanoClock.getAsLong();
        liveness.observe(store.brokers());
        Optional<ControllerState> current = store.controller();
        if (current.isPresent() && current.get().nodeId() == nodeId && current.get().incarnation().equals(incarnation)) {
            take(current.get().epoch(), now); // a claim whose reply was lost had landed
            return;
        }
        boolean stalled = current.isEmpty()
                || watched.filter(seen -> seen.epoch() == current.get().epoch()
                        && seen.heartbeats() == current.get().heartbeats()).isPresent()
                        && now - watchedSince >= sessionNanos;
        if (!watched.equals(current)) {
            watched = current;
            watchedSince = now;
        }
        if (!stalled) {
            return;
        }
        OptionalLong claimed = store.claimController(nodeId, incarnation, current);
        if (claimed.isPresent()) {
            take(claimed.getAsLong(), now);
        }
    }

    private void take(long newEpoch, long sentAt) {
        lastRenewalSent = sentAt;
        epoch = OptionalLong.of(newEpoch);
        pinned.clear();
        draining = Set.of();
        LOGGER.info("Broker {} is the controller (epoch {})", nodeId, newEpoch);
    }

    private void placeLeadership(long controllerEpoch) {
        List<BrokerState> brokers = store.brokers();
        liveness.observe(brokers);
        Set<Integer> alive = liveness.alive();
        Map<Integer, Optional<String>> racks = new HashMap<>(); // the brokers that may lead: live, not draining
        Set<Integer> nowDraining = new TreeSet<>();
        for (BrokerState broker : brokers) {
            if (alive.contains(broker.nodeId()) && broker.draining()) {
                nowDraining.add(broker.nodeId());
            } else if (alive.contains(broker.nodeId())) {
                racks.put(broker.nodeId(), broker.registration().rack());
            }
        }
        if (!nowDraining.equals(draining)) {
            LOGGER.info("Draining brokers: {} (each hands its partitions over itself and is given none)",
                    nowDraining);
            draining = nowDraining;
        }
        Map<TopicPartitionId, PartitionLeadership> byPartition = new TreeMap<>();
        for (PartitionLeadership partition : store.leadership()) {
            if (partition.hasLeader() && !alive.contains(partition.leader())) {
                takeOffline(controllerEpoch, partition).ifPresent(after -> byPartition.put(after.partition(),
                        anyBrokerMayTake(after)));
            } else {
                byPartition.put(partition.partition(), anyBrokerMayTake(partition));
            }
        }
        pinned.keySet().retainAll(byPartition.keySet()); // deleted topics take their pins with them
        LeaderPlacement.plan(List.copyOf(byPartition.values()), racks, pinned).forEach((partition, leader) -> {
            PartitionLeadership before = byPartition.get(partition);
            if (before.hasLeader()) {
                requestMove(controllerEpoch, before, leader);
            } else {
                store.electLeader(controllerEpoch, partition, before.leaderEpoch(), leader).ifPresentOrElse(
                        after -> LOGGER.info("Leader of {} is broker {} at epoch {}", partition, leader,
                                after.leaderEpoch()),
                        () -> LOGGER.debug("Leadership of {} moved meanwhile; re-read at the next pass", partition));
            }
        });
    }

    /** With the tails in the bucket, a leaderless partition waits for no broker's disk. */
    private PartitionLeadership anyBrokerMayTake(PartitionLeadership partition) {
        return tailsInBucket && !partition.hasLeader() && partition.lastLeader() != PartitionLeadership.NO_LEADER
                ? new PartitionLeadership(partition.partition(), partition.leader(), partition.leaderEpoch(),
                        partition.targetLeader(), PartitionLeadership.NO_LEADER)
                : partition;
    }

    private Optional<PartitionLeadership> takeOffline(long controllerEpoch, PartitionLeadership before) {
        Optional<PartitionLeadership> after = store.takeOffline(controllerEpoch, before.partition(),
                before.leaderEpoch());
        after.ifPresentOrElse(
                offline -> LOGGER.warn("Leader {} of {} is dead: the partition is offline at epoch {}{}",
                        before.leader(), before.partition(), offline.leaderEpoch(),
                        offline.lastLeader() == PartitionLeadership.NO_LEADER || tailsInBucket
                                ? " (its committed tail is in the bucket: it gets a new leader now)"
                                : " until broker " + offline.lastLeader() + " is back (its disk may hold"
                                + " acknowledged records not in the bucket)"),
                () -> LOGGER.debug("Leadership of {} moved meanwhile; re-read at the next pass", before.partition()));
        return after;
    }

    private void requestMove(long controllerEpoch, PartitionLeadership before, int target) {
        boolean requested = store.requestMove(controllerEpoch, before.partition(), before.leaderEpoch(), target);
        if (!requested) {
            LOGGER.debug("Leadership of {} moved meanwhile; re-read at the next pass", before.partition());
        } else if (target == before.leader()) {
            LOGGER.info("Withdrew the move of {} to broker {} (broker {} keeps it)", before.partition(),
                    before.targetLeader(), target);
        } else {
            LOGGER.info("Asked broker {} to hand {} over to broker {} (epoch {})", before.leader(),
                    before.partition(), target, before.leaderEpoch());
        }
    }
}
