package io.strata.metadata.controller;

import io.strata.metadata.BrokerState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Which registered brokers the controller counts as alive (CLUSTER.md rule 8): a broker is dead only when its
 * heartbeat count has not moved for a whole session timeout, measured on the controller's own monotonic clock;
 * never from stored timestamps, so a database outage (no one can renew) does not expire every broker at once. The
 * controller feeds it as a candidate too, so a broker that died with the previous controller is judged by what this
 * one watched before it took the lease, not given a new session at the takeover.
 *
 * <p>Fed by {@link #observe} with each read of the {@code brokers} table. A gap between two reads longer than half
 * a session timeout (the controller could not read: the database was away, or this process was paused) restarts
 * every session at the read that ends it, since no broker could renew meanwhile either. Not thread-safe (the
 * controller's loop owns it).
 */
public final class BrokerLiveness {

    private record Seen(long heartbeats, long sinceNanos) {
    }

    private final long sessionTimeoutNanos;
    private final LongSupplier nanoClock;
    private final Map<Integer, Seen> seen = new HashMap<>();
    private long lastObservation;
    private boolean observed;

    /** @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}) */
    public BrokerLiveness(Duration sessionTimeout, LongSupplier nanoClock) {
        this.sessionTimeoutNanos = sessionTimeout.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Takes in the registrations as just read: a count that moved restarts its broker's session. */
    public void observe(List<BrokerState> brokers) {
        long now = nanoClock.getAsLong();
        boolean blind = observed && now - lastObservation > sessionTimeoutNanos / 2;
        observed = true;
        lastObservation = now;
        Set<Integer> present = new TreeSet<>();
        for (BrokerState broker : brokers) {
            present.add(broker.nodeId());
            Seen before = seen.get(broker.nodeId());
            if (blind || before == null || before.heartbeats() != broker.heartbeats()) {
                seen.put(broker.nodeId(), new Seen(broker.heartbeats(), now));
            }
        }
        seen.keySet().retainAll(present); // unregistered: gone at once
    }

    /** The brokers whose heartbeat count moved within the last session timeout, by node id. */
    public Set<Integer> alive() {
        long now = nanoClock.getAsLong();
        Set<Integer> alive = new TreeSet<>();
        seen.forEach((nodeId, last) -> {
            if (now - last.sinceNanos() < sessionTimeoutNanos) {
                alive.add(nodeId);
            }
        });
        return alive;
    }
}
