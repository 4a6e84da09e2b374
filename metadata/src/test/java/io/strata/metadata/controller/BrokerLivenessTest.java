package io.strata.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.BrokerState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BrokerLivenessTest {

    private static final Duration SESSION = Duration.ofSeconds(9);
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final BrokerLiveness liveness = new BrokerLiveness(SESSION, nanos::get);

    private static BrokerState broker(int nodeId, long heartbeats) {
        return new BrokerState(new BrokerRegistration(nodeId, new UUID(0, nodeId), "PLAINTEXT://b" + nodeId + ":9092",
                Optional.empty()), heartbeats);
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Test
    void aBrokerIsDeadOnlyAfterItsCountStoodStillForAWholeSessionOnTheControllersClock() {
        liveness.observe(List.of(broker(1, 10), broker(2, 20)));
        assertThat(liveness.alive()).as("a new controller gives everyone a full session").containsExactly(1, 2);

        for (int i = 1; i <= 4; i++) { // broker 1 renews every 2 s, broker 2 stopped
            advance(Duration.ofSeconds(2));
            liveness.observe(List.of(broker(1, 10 + i), broker(2, 20)));
        }
        assertThat(liveness.alive()).containsExactly(1, 2); // 8 s < 9 s

        advance(Duration.ofSeconds(2));
        liveness.observe(List.of(broker(1, 15), broker(2, 20)));
        assertThat(liveness.alive()).containsExactly(1);

        liveness.observe(List.of(broker(1, 16), broker(2, 21))); // it came back
        assertThat(liveness.alive()).containsExactly(1, 2);
    }

    @Test
    void aGapInTheControllersReadsRestartsEverySessionInsteadOfExpiringEveryone() {
        liveness.observe(List.of(broker(1, 10), broker(2, 20)));
        advance(Duration.ofSeconds(60)); // the database was away: nobody renewed, the controller read nothing
        liveness.observe(List.of(broker(1, 10), broker(2, 20)));

        assertThat(liveness.alive()).containsExactly(1, 2);
        advance(Duration.ofSeconds(4));
        liveness.observe(List.of(broker(1, 11), broker(2, 20)));
        advance(Duration.ofSeconds(4));
        liveness.observe(List.of(broker(1, 12), broker(2, 20)));
        advance(Duration.ofSeconds(2));
        liveness.observe(List.of(broker(1, 13), broker(2, 20)));
        assertThat(liveness.alive()).containsExactly(1);
    }

    @Test
    void anUnregisteredBrokerIsGoneAtOnce() {
        liveness.observe(List.of(broker(1, 10), broker(2, 20)));
        liveness.observe(List.of(broker(1, 11)));
        assertThat(liveness.alive()).containsExactly(1);
    }
}
