package io.strata.broker.cluster;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether this broker may act as a leader at all right now (CLUSTER.md rule 8): its registration was renewed
 * recently enough ({@code leaseValid}: the session timeout minus one heartbeat interval since the last renewal was
 * sent) and its view of the cluster was read recently enough (less than the session timeout minus two heartbeat
 * intervals ago, at least one interval). The second matters after a pause (SIGSTOP, a long GC): the heartbeat
 * thread may renew the moment the process wakes, before the sync thread has read that the controller gave the
 * partitions away meanwhile; the controller waits a whole session timeout before it does, so a view younger than
 * that bound cannot predate the move. Both on this JVM's monotonic clock. Thread-safe.
 */
final class ServingGate {

    private final BooleanSupplier leaseValid;
    private final Supplier<ClusterSnapshot> view;
    private final long maxViewAgeNanos;
    private final LongSupplier nanoClock;

    ServingGate(BooleanSupplier leaseValid, Supplier<ClusterSnapshot> view, Duration sessionTimeout,
                Duration heartbeatInterval, LongSupplier nanoClock) {
        this.leaseValid = leaseValid;
        this.view = view;
        this.maxViewAgeNanos = Math.max(heartbeatInterval.toNanos(),
                sessionTimeout.minus(heartbeatInterval.multipliedBy(2)).toNanos());
        this.nanoClock = nanoClock;
    }

    boolean open() {
        return leaseValid.getAsBoolean() && nanoClock.getAsLong() - view.get().readAt() < maxViewAgeNanos;
    }
}
