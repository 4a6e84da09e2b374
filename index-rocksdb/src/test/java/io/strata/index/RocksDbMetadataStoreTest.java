package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.metadata.MetadataStore;
import io.strata.metadata.MetadataStoreContractTest;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata contract on the embedded store of single-broker mode, plus what survives a reopen. */
class RocksDbMetadataStoreTest extends MetadataStoreContractTest {

    @TempDir
    Path dir;

    private RocksDbIndexStore database;

    @Override
    protected MetadataStore newStore() {
        database = RocksDbIndexStore.open(dir.resolve("index"));
        return database.metadata();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    @Test
    void everythingSurvivesAReopenOfTheDatabase() {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(tp.topicId(), "orders", 1, Map.of("cleanup.policy", "delete")));
        long epoch = store.claimController(0, UUID.randomUUID(), Optional.empty()).orElseThrow();
        store.electLeader(epoch, tp, 0, 0);
        store.advanceCommittedEnd(tp, 0, 1, 42);
        long producerIds = store.allocateProducerIds(100);
        database.close();

        database = RocksDbIndexStore.open(dir.resolve("index"));
        store = database.metadata();
        assertThat(store.topics()).singleElement().extracting(TopicDefinition::name).isEqualTo("orders");
        assertThat(store.committedEnd(tp)).isEqualTo(42);
        assertThat(store.epochHistory(tp)).hasSize(1);
        assertThat(store.allocateProducerIds(1)).isEqualTo(producerIds + 100);
    }

    @Test
    void aPartitionWrittenBeforePlannedMovesReadsAsNotMovingWithItsLeaderAsLastLeader() throws Exception {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        store.createTopic(new TopicDefinition(tp.topicId(), "orders", 1, Map.of()));
        database.db().put(database.metadata().family,
                ("p/" + tp.topicId() + "/0000000000").getBytes(StandardCharsets.US_ASCII),
                "{\"leader\":2,\"leaderEpoch\":3,\"committedEnd\":10}".getBytes(StandardCharsets.US_ASCII));

        assertThat(store.leadership()).containsExactly(new PartitionLeadership(tp, 2, 3, PartitionLeadership.NO_LEADER, 2));
        assertThat(store.handOver(tp, 2, 3, 12, 4)).hasValue(new PartitionLeadership(tp, 4, 4));
    }

    @Test
    void aBrokerWrittenBeforeDrainingReadsAsNotDrainingAndANotDrainingValueHasNoSuchField() throws Exception {
        UUID incarnation = UUID.randomUUID();
        byte[] key = "b/0000000001".getBytes(StandardCharsets.US_ASCII);
        database.db().put(database.metadata().family, key, ("{\"incarnation\":\"" + incarnation
                + "\",\"endpoints\":\"PLAINTEXT://one:9092\",\"rack\":null,\"heartbeats\":4,\"renewedAtMs\":1}")
                .getBytes(StandardCharsets.US_ASCII));

        assertThat(store.brokers()).singleElement().satisfies(broker -> assertThat(broker.draining()).isFalse());
        assertThat(store.heartbeat(1, incarnation)).isTrue();
        assertThat(new String(database.db().get(database.metadata().family, key), StandardCharsets.US_ASCII))
                .doesNotContain("draining");
        assertThat(store.drain(1, incarnation)).isTrue();
        assertThat(store.brokers()).singleElement().satisfies(broker -> assertThat(broker.draining()).isTrue());
    }
}
