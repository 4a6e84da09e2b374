package io.strata.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** CLUSTER.md rule 5: a partition whose epoch or committed end goes backwards in the database is halted. */
class RegressionGuardTest {

    private static final TopicPartitionId ORDERS = new TopicPartitionId(UUID.randomUUID(), 0);
    private static final TopicPartitionId CLICKS = new TopicPartitionId(UUID.randomUUID(), 1);

    private final RegressionGuard guard = new RegressionGuard();

    @Test
    void anEpochLowerThanOneSeenBeforeHaltsThatPartitionOnly() {
        guard.observe(Map.of(ORDERS, led(ORDERS, 5), CLICKS, led(CLICKS, 2)));
        guard.observe(Map.of(ORDERS, led(ORDERS, 6), CLICKS, led(CLICKS, 2)));

        guard.observe(Map.of(ORDERS, led(ORDERS, 4), CLICKS, led(CLICKS, 3)));

        assertThat(guard.halted(ORDERS)).isTrue();
        assertThat(guard.halted(CLICKS)).isFalse();
        // and it stays halted when the epoch comes back up
        guard.observe(Map.of(ORDERS, led(ORDERS, 7), CLICKS, led(CLICKS, 3)));
        assertThat(guard.halted(ORDERS)).isTrue();
    }

    @Test
    void aCommittedEndBelowOffsetsSeenCommittedHaltsThePartition() {
        guard.observe(Map.of(ORDERS, led(ORDERS, 1)));
        assertThat(guard.checkCommittedEnd(ORDERS, 100)).isTrue();
        guard.committed(ORDERS, 250);

        assertThat(guard.checkCommittedEnd(ORDERS, 250)).isTrue();
        assertThat(guard.checkCommittedEnd(ORDERS, 180)).isFalse();
        assertThat(guard.halted(ORDERS)).isTrue();
        assertThat(guard.checkCommittedEnd(ORDERS, 300)).as("halted until restart").isFalse();
    }

    @Test
    void aDeletedPartitionIsForgottenSoThatANewTopicStartsAfresh() {
        guard.observe(Map.of(ORDERS, led(ORDERS, 9)));
        guard.observe(Map.of(ORDERS, led(ORDERS, 3)));
        assertThat(guard.halted(ORDERS)).isTrue();

        guard.observe(Map.of());
        guard.observe(Map.of(ORDERS, led(ORDERS, 0)));

        assertThat(guard.halted(ORDERS)).isFalse();
    }

    private static PartitionLeadership led(TopicPartitionId id, int epoch) {
        return new PartitionLeadership(id, 1, epoch);
    }
}
