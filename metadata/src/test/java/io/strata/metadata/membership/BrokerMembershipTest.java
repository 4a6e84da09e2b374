package io.strata.metadata.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.BrokerState;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.NodeIdInUseException;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.testing.PostgresServer;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A broker's registration on a real PostgreSQL, renewals driven by the test on a fake monotonic clock. */
class BrokerMembershipTest {

    private static final Duration SESSION = Duration.ofSeconds(9);
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);

    private MetadataStore store;
    private final AtomicLong clock = new AtomicLong();

    @BeforeEach
    void open() {
        store = PostgresMetadataStore.open(PostgresServer.shared().createDatabase("membership"), "strata-test");
    }

    @AfterEach
    void close() {
        store.close();
    }

    private BrokerMembership join(int nodeId, String host) {
        return BrokerMembership.join(store, new BrokerRegistration(nodeId, UUID.randomUUID(),
                "PLAINTEXT://" + host + ":9092", Optional.of("rack-1")), SESSION, HEARTBEAT, clock::get, false);
    }

    @Test
    void aBrokerServesWhileItRenewsAndStopsASessionMinusAHeartbeatAfterItsLastRenewalWasSent() {
        BrokerMembership broker = join(1, "one");
        assertThat(broker.serving()).isTrue();

        clock.addAndGet(HEARTBEAT.toNanos());
        broker.renewNow();
        clock.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(broker.serving()).as("6 s after the last renewal").isTrue();
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(broker.serving()).as("7 s = session 9 s - heartbeat 2 s: stop before the controller acts").isFalse();

        broker.renewNow();
        assertThat(broker.serving()).as("a renewal that succeeds resumes it").isTrue();
        broker.close();
        assertThat(store.brokers()).isEmpty();
    }

    @Test
    void aSecondBrokerWithTheSameNodeIdIsRefusedWhileTheFirstIsAlive() {
        BrokerMembership first = join(1, "first-host");

        assertThatThrownBy(() -> join(1, "second-host")).isInstanceOf(NodeIdInUseException.class)
                .hasMessageContaining("PLAINTEXT://first-host:9092");
        assertThat(first.serving()).isTrue();
        assertThat(store.brokers()).singleElement().extracting(BrokerState::registration)
                .isEqualTo(first.registration());
        first.close();
    }

    @Test
    void aBrokerWhoseNodeIdWasTakenOverNeverServesAgainAndLeavesTheNewRegistrationAlone() {
        BrokerMembership old = join(1, "old");
        BrokerRegistration takeover = new BrokerRegistration(1, UUID.randomUUID(), "PLAINTEXT://new:9092", Optional.empty());
        store.register(takeover, Duration.ZERO); // as if the old one had not renewed for a session

        old.renewNow();
        assertThat(old.serving()).isFalse();
        assertThat(old.replacedReason()).hasValueSatisfying(reason -> assertThat(reason).contains("taken over"));
        old.renewNow();
        assertThat(old.serving()).isFalse();
        old.close();
        assertThat(store.brokers()).singleElement().extracting(BrokerState::registration).isEqualTo(takeover);
    }

    @Test
    void aDrainingBrokerIsListedDrainingAndKeepsServingUntilItCloses() {
        BrokerMembership broker = join(1, "one");
        join(2, "two");

        assertThat(broker.drain()).isTrue();
        clock.addAndGet(HEARTBEAT.toNanos());
        broker.renewNow();
        assertThat(broker.serving()).as("it hands its partitions over while draining").isTrue();
        assertThat(store.brokers()).extracting(BrokerState::nodeId, BrokerState::draining)
                .containsExactly(tuple(1, true), tuple(2, false));

        broker.close();
        assertThat(broker.drain()).as("closed").isFalse();
        assertThat(store.brokers()).extracting(BrokerState::nodeId).containsExactly(2);
    }

    @Test
    void aHeartbeatIntervalAboveHalfTheSessionIsRefused() {
        assertThatThrownBy(() -> BrokerMembership.join(store, new BrokerRegistration(1, UUID.randomUUID(), "x",
                Optional.empty()), SESSION, Duration.ofSeconds(5), clock::get, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broker.heartbeat.interval.ms");
    }
}
