package io.strata.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The rule a broker checks before it serves or acknowledges anything: a renewed lease and a view of the cluster
 * young enough that it cannot predate a move the controller made while this broker was paused.
 */
class ServingGateTest {

    private static final Duration SESSION = Duration.ofMillis(9_000);
    private static final Duration HEARTBEAT = Duration.ofMillis(2_000);

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private final AtomicBoolean leaseValid = new AtomicBoolean(true);
    private final AtomicReference<ClusterSnapshot> view = new AtomicReference<>(readAt(clock.get()));
    private final ServingGate gate = new ServingGate(leaseValid::get, view::get, SESSION, HEARTBEAT, clock::get);

    private static ClusterSnapshot readAt(long nanos) {
        return new ClusterSnapshot(Map.of(), Map.of(), List.of(), -1, Set.of(), nanos);
    }

    @Test
    void aRenewedLeaseAndAFreshViewServe() {
        clock.addAndGet(HEARTBEAT.toNanos());
        assertThat(gate.open()).isTrue();
    }

    @Test
    void aLapsedLeaseServesNothing() {
        leaseValid.set(false);
        assertThat(gate.open()).isFalse();
    }

    @Test
    void aBrokerWokenFromAPauseServesNothingUntilItReadsTheClusterAgainEvenWithItsLeaseRenewed() {
        // Paused for a whole session timeout: the controller may have given its partitions away meanwhile
        clock.addAndGet(SESSION.toNanos());
        leaseValid.set(true); // the heartbeat thread renewed the moment the process woke
        assertThat(gate.open()).as("serving on a view older than the session timeout minus two heartbeats").isFalse();

        view.set(readAt(clock.get()));
        assertThat(gate.open()).isTrue();
    }

    @Test
    void theViewMayBeAsOldAsTheSessionTimeoutMinusTwoHeartbeatIntervals() {
        clock.addAndGet(SESSION.minus(HEARTBEAT.multipliedBy(2)).toNanos() - 1);
        assertThat(gate.open()).isTrue();
        clock.addAndGet(1);
        assertThat(gate.open()).isFalse();
    }
}
