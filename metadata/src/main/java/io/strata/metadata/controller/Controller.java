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
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
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
 *   <li>while it holds the lease it reads the brokers ({@link BrokerLiveness}) and the leadership, plans with
 *       {@link LeaderPlacement}, and elects each move conditional on its controller epoch and the partition's
 *       epoch; a lost race is re-read at the next pass.</li>
 * </ul>
 * Not thread-safe: one thread runs the passes.
 *
 * <p>Not yet: a move away from a live leader is an immediate election here; the hand-over in which the old leader
 * first stops accepting and seals and uploads its tail (a planned move) comes with the broker's wiring, and until
 * then the broker must not act on a move it did not hand over.
 */
public final class Controller {
    private static final Logger LOGGER = LoggerFactory.getLogger(Controller.class);

    private final MetadataStore store;
    private final int nodeId;
    private final UUID incarnation;
    private final long sessionNanos;
    private final long marginNanos;
    private final LongSupplier nanoClock;
    private final Predicate<PartitionLeadership> mayMoveWithoutLiveLeader;

    private Optional<ControllerState> watched = Optional.empty();
    private long watchedSince;
    private OptionalLong epoch = OptionalLong.empty();
    private long lastRenewalSent;
    private BrokerLiveness liveness;

    /**
     * @param mayMoveWithoutLiveLeader whether a partition whose leader is dead (or absent) may get a new leader
     *                                 now; the broker holds back those whose acknowledged tail is only on a dead
     *                                 broker's disk
     */
    public Controller(MetadataStore store, int nodeId, UUID incarnation, Duration sessionTimeout,
                      Duration heartbeatInterval, LongSupplier nanoClock,
                      Predicate<PartitionLeadership> mayMoveWithoutLiveLeader) {
        this.store = store;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.sessionNanos = sessionTimeout.toNanos();
        this.marginNanos = heartbeatInterval.toNanos();
        this.nanoClock = nanoClock;
        this.mayMoveWithoutLiveLeader = mayMoveWithoutLiveLeader;
    }

    /** The controller epoch this broker holds the lease at, if it does (as of its last pass). */
    public OptionalLong epoch() {
        if (epoch.isPresent() && nanoClock.getAsLong() - lastRenewalSent >= sessionNanos - marginNanos) {
            return OptionalLong.empty(); // not renewed in time: another broker may take over any moment now
        }
        return epoch;
    }

    /** One pass: take, keep or lose the lease, and while holding it, place leadership. */
    public void runOnce() {
        if (epoch.isPresent()) {
            renew();
        } else {
            contend();
        }
        if (epoch().isPresent()) {
            placeLeadership(epoch().getAsLong());
        }
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
        liveness = null;
    }

    private void contend() {
        long now = nanoClock.getAsLong();
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
        epoch = OptionalLong.of(newEpoch);
        lastRenewalSent = sentAt;
        liveness = new BrokerLiveness(Duration.ofNanos(sessionNanos), nanoClock);
        LOGGER.info("Broker {} is the controller (epoch {})", nodeId, newEpoch);
    }

    private void placeLeadership(long controllerEpoch) {
        List<BrokerState> brokers = store.brokers();
        liveness.observe(brokers);
        Set<Integer> alive = liveness.alive();
        Map<Integer, Optional<String>> racks = new HashMap<>();
        brokers.stream().filter(b -> alive.contains(b.nodeId()))
                .forEach(b -> racks.put(b.nodeId(), b.registration().rack()));
        List<PartitionLeadership> current = store.leadership();
        Set<TopicPartitionId> movable = current.stream()
                .filter(p -> !alive.contains(p.leader()))
                .filter(p -> !p.hasLeader() || mayMoveWithoutLiveLeader.test(p))
                .map(PartitionLeadership::partition)
                .collect(Collectors.toSet());
        Map<TopicPartitionId, PartitionLeadership> byPartition = current.stream()
                .collect(Collectors.toMap(PartitionLeadership::partition, p -> p));
        LeaderPlacement.plan(current, racks, movable).forEach((partition, leader) -> {
            PartitionLeadership before = byPartition.get(partition);
            store.electLeader(controllerEpoch, partition, before.leaderEpoch(), leader).ifPresentOrElse(
                    after -> LOGGER.info("Leader of {} is broker {} at epoch {} (was {})", partition, leader,
                            after.leaderEpoch(), before.hasLeader() ? "broker " + before.leader() : "none"),
                    () -> LOGGER.debug("Leadership of {} moved meanwhile; re-read at the next pass", partition));
        });
    }
}
