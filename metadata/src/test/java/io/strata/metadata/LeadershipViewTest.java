package io.strata.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.testing.PostgresServer;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LeadershipViewTest {

    @Test
    void theViewAnswersFromItsLastSnapshotUntilRefreshedAndKeepsItWhenTheDatabaseIsAway() {
        try (MetadataStore store = PostgresMetadataStore.open(PostgresServer.shared().createDatabase("view"), "test")) {
            TopicPartitionId p0 = new TopicPartitionId(UUID.randomUUID(), 0);
            TopicPartitionId p1 = new TopicPartitionId(p0.topicId(), 1);
            store.createTopic(new TopicDefinition(p0.topicId(), "orders", 2, Map.of()));
            long controller = store.claimController(1, UUID.randomUUID(), Optional.empty()).orElseThrow();
            LeadershipView view = new LeadershipView(store);
            assertThat(view.leadership(p0)).isEmpty();

            store.electLeader(controller, p0, 0, 1);
            store.electLeader(controller, p1, 0, 2);
            view.refresh();
            assertThat(view.leads(p0, 1, 1)).isTrue();
            assertThat(view.leads(p0, 1, 0)).as("another epoch").isFalse();
            assertThat(view.ledBy(2)).extracting(PartitionLeadership::partition).containsExactly(p1);

            store.electLeader(controller, p0, 1, 2);
            assertThat(view.leads(p0, 1, 1)).as("not refreshed yet").isTrue();
            view.refresh();
            assertThat(view.leadership(p0)).hasValue(new PartitionLeadership(p0, 2, 2));

            store.close();
            assertThatThrownBy(view::refresh).isInstanceOf(RuntimeException.class);
            assertThat(view.leadership(p0)).as("the last snapshot stays").hasValue(new PartitionLeadership(p0, 2, 2));
        }
    }

    @Test
    void pollingReadsTheLeadershipAgainOnlyWhenTheChangeVersionMoved() {
        try (MetadataStore store = PostgresMetadataStore.open(PostgresServer.shared().createDatabase("view"), "test")) {
            TopicPartitionId p0 = new TopicPartitionId(UUID.randomUUID(), 0);
            store.createTopic(new TopicDefinition(p0.topicId(), "orders", 1, Map.of()));
            BrokerRegistration one = new BrokerRegistration(1, UUID.randomUUID(), "PLAINTEXT://one:9092", Optional.empty());
            store.register(one, java.time.Duration.ofSeconds(30));
            long controller = store.claimController(1, one.incarnation(), Optional.empty()).orElseThrow();
            LeadershipView view = new LeadershipView(store);

            assertThat(view.refreshIfChanged()).as("never read").isTrue();
            assertThat(view.refreshIfChanged()).isFalse();
            store.heartbeat(1, one.incarnation());
            store.renewController(1, one.incarnation(), controller);
            assertThat(view.refreshIfChanged()).as("heartbeats change nothing").isFalse();

            store.electLeader(controller, p0, 0, 1);
            assertThat(view.refreshIfChanged()).isTrue();
            assertThat(view.leadership(p0)).hasValue(new PartitionLeadership(p0, 1, 1));
            store.advanceCommittedEnd(p0, 1, 1, 10);
            assertThat(view.refreshIfChanged()).as("commits change nothing").isFalse();
            store.requestMove(controller, p0, 1, 2);
            assertThat(view.refreshIfChanged()).isTrue();
            assertThat(view.leadership(p0)).hasValueSatisfying(p -> assertThat(p.targetLeader()).isEqualTo(2));
        }
    }
}
