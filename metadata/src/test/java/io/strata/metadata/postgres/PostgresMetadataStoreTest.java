package io.strata.metadata.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.MetadataStoreContractTest;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.metadata.testing.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The metadata contract on a real PostgreSQL (a throwaway cluster, a database per test), plus its own cases. */
class PostgresMetadataStoreTest extends MetadataStoreContractTest {

    private PostgresSettings settings;

    @Override
    protected MetadataStore newStore() {
        settings = PostgresServer.shared().createDatabase("metadata");
        return PostgresMetadataStore.open(settings, "strata-test");
    }

    @Test
    void aStoreReopenedOnTheSameDatabaseKeepsEverythingAndMigratesNothingTwice() {
        TopicDefinition orders = new TopicDefinition(UUID.randomUUID(), "orders", 2, Map.of("retention.ms", "1000"));
        store.createTopic(orders);
        store.close();

        store = PostgresMetadataStore.open(settings, "strata-test");
        assertThat(store.topics()).containsExactly(orders);
        assertThat(store.leadership()).hasSize(2);
    }

    @Test
    void aRestartOfTheDatabaseFailsCallsRetriablyMeanwhileAndTheStoreRecoversByItself() {
        TopicDefinition orders = new TopicDefinition(UUID.randomUUID(), "orders", 1, Map.of());
        store.createTopic(orders);
        PostgresServer server = PostgresServer.shared();

        server.stopServer();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.allocateProducerIds(10)).isInstanceOf(MetadataException.class)
                    .hasMessageContaining("could not reserve producer ids");
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
                    .as("a call fails within the connection timeout, not hangs").isLessThan(java.time.Duration.ofSeconds(15));
        } finally {
            server.startServer();
        }

        // The pool reconnects: the next calls work, and nothing committed before was lost
        assertThat(store.topics()).containsExactly(orders);
        assertThat(store.allocateProducerIds(10)).isZero();
    }

    @Test
    void aVersion2DatabaseIsMigratedWithItsLeadersAsLastLeadersNoMoveRequestedAndAChangeVersion() throws Exception {
        PostgresSettings older = PostgresServer.shared().createDatabase("upgrade");
        Flyway.configure().dataSource(older.jdbcUrl(), older.user().orElse(null), older.password().orElse(null))
                .locations("classpath:db/strata").table("strata_schema_history").target("2").load().migrate();
        TopicPartitionId led = new TopicPartitionId(UUID.randomUUID(), 0);
        TopicPartitionId leaderless = new TopicPartitionId(led.topicId(), 1);
        try (Connection connection = DriverManager.getConnection(older.jdbcUrl(), older.user().orElse(null),
                older.password().orElse(null));
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO topics VALUES ('" + led.topicId() + "', 'orders', 2, '{}', now())");
            statement.executeUpdate("INSERT INTO partitions VALUES ('" + led.topicId() + "', 0, 2, 3, 40), ('"
                    + led.topicId() + "', 1, -1, 0, 0)");
        }

        try (MetadataStore upgraded = PostgresMetadataStore.open(older, "strata-test")) {
            assertThat(upgraded.leadership()).containsExactly(new PartitionLeadership(led, 2, 3, -1, 2),
                    new PartitionLeadership(leaderless, -1, 0, -1, -1));
            assertThat(upgraded.changeVersion()).isZero();
            assertThat(upgraded.handOver(led, 2, 3, 50, 1)).hasValue(new PartitionLeadership(led, 1, 4));
        }
    }

    @Test
    void aVersion3DatabaseIsMigratedWithItsBrokersNotDraining() throws Exception {
        PostgresSettings older = PostgresServer.shared().createDatabase("upgrade");
        Flyway.configure().dataSource(older.jdbcUrl(), older.user().orElse(null), older.password().orElse(null))
                .locations("classpath:db/strata").table("strata_schema_history").target("3").load().migrate();
        UUID incarnation = UUID.randomUUID();
        try (Connection connection = DriverManager.getConnection(older.jdbcUrl(), older.user().orElse(null),
                older.password().orElse(null));
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO brokers VALUES (1, '" + incarnation
                    + "', 'PLAINTEXT://one:9092', NULL, 4, now(), now())");
        }

        try (MetadataStore upgraded = PostgresMetadataStore.open(older, "strata-test")) {
            assertThat(upgraded.brokers()).singleElement().satisfies(broker -> {
                assertThat(broker.heartbeats()).isEqualTo(4);
                assertThat(broker.draining()).isFalse();
            });
            assertThat(upgraded.drain(1, incarnation)).isTrue();
            assertThat(upgraded.brokers().get(0).draining()).isTrue();
        }
    }

    @Test
    void partitionsSortInJavaAsTheDatabaseOrdersAndLocksThem() {
        // Topic ids on both sides of the sign bit of each half: PostgreSQL compares uuids as unsigned bytes
        List<UUID> ids = List.of(UUID.fromString("7fffffff-ffff-ffff-0000-000000000000"),
                UUID.fromString("80000000-0000-0000-0000-000000000000"),
                UUID.fromString("ffffffff-ffff-ffff-0000-000000000000"),
                UUID.fromString("00000000-0000-0000-8000-000000000000"),
                UUID.fromString("00000000-0000-0000-7fff-ffffffffffff"));
        for (UUID id : ids) {
            store.createTopic(new TopicDefinition(id, "t" + id, 1, Map.of()));
        }

        List<TopicPartitionId> databaseOrder = store.leadership().stream().map(PartitionLeadership::partition).toList();

        assertThat(databaseOrder).isSortedAccordingTo(Comparator.naturalOrder());
    }

    @Test
    void aVersion4DatabaseIsMigratedAndItsPartitionsTakeWalCommits() throws Exception {
        PostgresSettings older = PostgresServer.shared().createDatabase("upgrade");
        Flyway.configure().dataSource(older.jdbcUrl(), older.user().orElse(null), older.password().orElse(null))
                .locations("classpath:db/strata").table("strata_schema_history").target("4").load().migrate();
        TopicPartitionId led = new TopicPartitionId(UUID.randomUUID(), 0);
        try (Connection connection = DriverManager.getConnection(older.jdbcUrl(), older.user().orElse(null),
                older.password().orElse(null));
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO topics VALUES ('" + led.topicId() + "', 'orders', 1, '{}', now())");
            statement.executeUpdate("INSERT INTO partitions VALUES ('" + led.topicId() + "', 0, 2, 3, 40, -1, 2)");
        }

        try (MetadataStore upgraded = PostgresMetadataStore.open(older, "strata-test")) {
            String key = "wal/2/" + UUID.randomUUID() + "/00000000000000000000.wal";
            WalRange range = new WalRange(led, 3, 40, 45, key, 0, 100,
                    List.of(new WalBatch(40, 44, 9, (short) 0, 0, 4, 1_000)));
            assertThat(upgraded.commitWal(new WalObjectCommit(key, 2, UUID.randomUUID(), 100, List.of(range))))
                    .containsOnly(Map.entry(led, WalCommitOutcome.COMMITTED));
            assertThat(upgraded.committedEnd(led)).isEqualTo(45);
            assertThat(upgraded.walRanges(led, 0)).containsExactly(range);
        }
    }

    @Test
    void aReadOnlyStoreReadsWhatIsThereAndTheDatabaseRefusesEveryWriteThroughIt() throws Exception {
        TopicDefinition orders = new TopicDefinition(UUID.randomUUID(), "orders", 1, Map.of());
        store.createTopic(orders);

        try (MetadataStore readOnly = PostgresMetadataStore.openReadOnly(settings, "strata-test-inspect")) {
            assertThat(readOnly.topics()).containsExactly(orders);
            assertThat(readOnly.walCatalog().objects()).isEmpty();
            assertThatThrownBy(() -> readOnly.createTopic(new TopicDefinition(UUID.randomUUID(), "other", 1, Map.of())))
                    .isInstanceOf(MetadataException.class).hasMessageContaining("read-only transaction");
            assertThatThrownBy(() -> readOnly.revokeWalWriter(1, UUID.randomUUID()))
                    .isInstanceOf(MetadataException.class).hasMessageContaining("read-only transaction");
        }
        assertThat(store.topics()).containsExactly(orders);
    }

    @Test
    void aReadOnlyStoreRefusesADatabaseWhoseSchemaIsNotThisVersionsAndMigratesNothing() throws Exception {
        PostgresSettings older = PostgresServer.shared().createDatabase("older");
        Flyway.configure().dataSource(older.jdbcUrl(), older.user().orElse(null), older.password().orElse(null))
                .locations("classpath:db/strata").table("strata_schema_history").target("4").load().migrate();

        assertThatThrownBy(() -> PostgresMetadataStore.openReadOnly(older, "strata-test-inspect"))
                .isInstanceOf(MetadataException.class).hasMessageContaining("is not this version's");

        try (Connection connection = DriverManager.getConnection(older.jdbcUrl(), older.user().orElse(null),
                older.password().orElse(null));
             Statement statement = connection.createStatement();
             java.sql.ResultSet row = statement.executeQuery("SELECT to_regclass('wal_objects') IS NULL")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getBoolean(1)).as("version 5 not applied").isTrue();
        }
    }

    @Test
    void anUnreachableDatabaseIsOneLineThatNamesItWithoutThePassword() {
        PostgresSettings nowhere = PostgresSettings.parse("postgresql://127.0.0.1:1/none?password=s3cret&user=u",
                Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> PostgresMetadataStore.open(nowhere, "strata-test"))
                .isInstanceOf(MetadataException.class)
                .hasMessageContaining("postgresql://u@127.0.0.1:1/none")
                .hasMessageNotContaining("s3cret");
    }
}
