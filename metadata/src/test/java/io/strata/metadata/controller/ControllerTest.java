package io.strata.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Controllers of three brokers on one real PostgreSQL, each on its own fake monotonic clock: one holds the lease
 * and spreads leadership, another takes over only after the holder's renewals stood still for a session, the old
 * holder is fenced, and a dead broker's partitions move only when allowed.
 */
class ControllerTest {

    private static final Duration SESSION = Duration.ofSeconds(9);
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);

    private MetadataStore store;
    private final UUID[] incarnations = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
    private final AtomicLong clockOne = new AtomicLong();
    private final AtomicLong clockTwo = new AtomicLong();

    @BeforeEach
    void cluster() {
        store = PostgresMetadataStore.open(PostgresServer.shared().createDatabase("controller"), "strata-test");
        for (int node = 1; node <= 3; node++) {
            store.register(new BrokerRegistration(node, incarnations[node], "PLAINTEXT://b" + node + ":9092",
                    Optional.empty()), SESSION);
        }
        store.createTopic(new TopicDefinition(UUID.randomUUID(), "orders", 6, Map.of()));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Controller controller(int node, AtomicLong clock, boolean mayMoveDeadLeaders) {
        return new Controller(store, node, incarnations[node], SESSION, HEARTBEAT, clock::get,
                partition -> mayMoveDeadLeaders);
    }

    private Map<Integer, Long> leadersByBroker() {
        return store.leadership().stream()
                .collect(Collectors.groupingBy(PartitionLeadership::leader, Collectors.counting()));
    }

    private void heartbeat(int... nodes) {
        for (int node : nodes) {
            store.heartbeat(node, incarnations[node]);
        }
    }

    @Test
    void oneControllerSpreadsLeadershipAndAnotherTakesOverOnlyWhenItsRenewalsStop() {
        Controller one = controller(1, clockOne, true);
        Controller two = controller(2, clockTwo, true);

        one.runOnce();
        two.runOnce();
        assertThat(one.epoch()).hasValue(1);
        assertThat(two.epoch()).isEmpty();
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
        assertThat(store.leadership()).allSatisfy(p -> assertThat(p.leaderEpoch()).isEqualTo(1));

        // While one renews, two only watches, however long
        for (int i = 0; i < 10; i++) {
            clockOne.addAndGet(HEARTBEAT.toNanos());
            clockTwo.addAndGet(HEARTBEAT.toNanos());
            one.runOnce();
            two.runOnce();
        }
        assertThat(two.epoch()).isEmpty();

        // One stops (paused): after a whole session on two's clock, two takes over with the next epoch
        for (int i = 0; i < 5; i++) {
            clockTwo.addAndGet(HEARTBEAT.toNanos());
            two.runOnce();
        }
        assertThat(two.epoch()).hasValue(2);
        assertThat(store.controller()).hasValueSatisfying(c -> assertThat(c.nodeId()).isEqualTo(2));

        // One wakes up: by its own clock it stopped acting already; its renewal fails and it stays out
        clockOne.addAndGet(SESSION.toNanos());
        assertThat(one.epoch()).as("not renewed for a session, by its own clock").isEmpty();
        one.runOnce();
        assertThat(one.epoch()).isEmpty();
        assertThat(leadersByBroker()).as("nothing moved: every broker is alive").containsOnly(
                Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));
    }

    @Test
    void aDeadBrokersPartitionsMoveAfterASessionOnlyWhenTheyMay() {
        Controller holding = controller(1, clockOne, false);
        holding.runOnce();
        assertThat(leadersByBroker()).containsEntry(3, 2L);

        // Broker 3 stops renewing; 1 and 2 go on
        for (int i = 0; i < 6; i++) {
            clockOne.addAndGet(HEARTBEAT.toNanos());
            heartbeat(1, 2);
            holding.runOnce();
        }
        assertThat(leadersByBroker()).as("held back: their tail may be on broker 3's disk only").containsEntry(3, 2L);

        // The same broker, now allowed to move them (its restarted controller finds its own lease and takes it)
        Controller moving = controller(1, clockOne, true);
        moving.runOnce();
        for (int i = 0; i < 6; i++) {
            clockOne.addAndGet(HEARTBEAT.toNanos());
            heartbeat(1, 2);
            moving.runOnce();
        }
        assertThat(leadersByBroker()).containsOnly(Map.entry(1, 3L), Map.entry(2, 3L));
        assertThat(store.leadership()).filteredOn(p -> p.leaderEpoch() == 2).hasSize(2);
    }
}
