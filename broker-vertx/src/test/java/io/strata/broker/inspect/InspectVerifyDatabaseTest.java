package io.strata.broker.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.StrataMain;
import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.metadata.WalCatalog;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.postgres.PostgresSettings;
import io.strata.metadata.testing.PostgresServer;
import io.strata.objectstore.PutCondition;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.testing.WalObjectFixture;
import io.strata.tiering.wal.WalObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata inspect verify} of a cluster: the bucket (an S3 server of the test's own) checked against a real
 * PostgreSQL metadata database (a throwaway server; skipped with the reason without PostgreSQL, failing under
 * {@code CI=true}), whose WAL rows are written through the {@link MetadataStore} port as a broker writes them.
 */
class InspectVerifyDatabaseTest {

    private static final int NODE = 1;

    @TempDir
    Path dir;

    private PostgresSettings database;
    private MetadataStore cluster;
    private S3ProxyServer s3;
    private S3ObjectStore bucket;
    private TopicPartitionId orders;

    @BeforeEach
    void setUp() throws IOException {
        database = PostgresServer.shared().createDatabase("inspect");
        cluster = PostgresMetadataStore.open(database, "strata-test");
        cluster.register(new BrokerRegistration(NODE, WalObjectFixture.INCARNATION, "PLAINTEXT://one:9092",
                Optional.empty()), Duration.ofSeconds(30));
        long controller = cluster.claimController(NODE, WalObjectFixture.INCARNATION, Optional.empty()).orElseThrow();
        orders = new TopicPartitionId(WalObjectFixture.TOPIC_A, 0);
        cluster.createTopic(new TopicDefinition(orders.topicId(), "orders", 1, Map.of()));
        cluster.electLeader(controller, orders, 0, NODE).orElseThrow();
        s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "strata"));
        bucket = S3ObjectStore.open(s3.clientConfig().build());
    }

    @AfterEach
    void tearDown() {
        bucket.close();
        s3.close();
        cluster.close();
    }

    /** PUTs the broker's WAL object {@code sequence} (real bytes: bucket-only checks pass) and returns its key. */
    private String put(long sequence) {
        bucket.put(WalObjectFixture.key(sequence), WalObjectFixture.twoPartitions(sequence).bytes(),
                PutCondition.IF_ABSENT).join();
        return WalObjectFixture.key(sequence);
    }

    /** PUTs and commits object {@code sequence} as offsets {@code base} to {@code end} of orders-0 (its first entry). */
    private String putAndCommit(long sequence, long base, long end) {
        String key = put(sequence);
        WalObject.Encoded object = WalObjectFixture.twoPartitions(sequence);
        WalObject.Entry entry = object.header().entries().get(0);
        WalRange range = new WalRange(orders, 1, base, end, key, entry.position(), entry.length(),
                List.of(new WalBatch(base, end - 1, WalObjectFixture.PRODUCER_ID, (short) 2, 0, (int) (end - base - 1),
                        WalObjectFixture.CREATED_MS)));
        assertThat(cluster.commitWal(new WalObjectCommit(key, NODE, WalObjectFixture.INCARNATION,
                object.bytes().length, List.of(range)))).containsOnly(Map.entry(orders, WalCommitOutcome.COMMITTED));
        return key;
    }

    private record Run(int exitCode, String output) {
    }

    /** The settings naming the test's metadata database. */
    private Map<String, String> metadataStore() {
        return Map.of("metadata.store", "postgresql://" + database.host() + ":" + database.port() + "/"
                        + database.database(), "metadata.store.user", database.user().orElseThrow(),
                "metadata.store.password", database.password().orElseThrow());
    }

    /** {@code strata inspect verify} of the test's bucket, with {@code metadataStore} among its settings. */
    private Run verify(Map<String, String> metadataStore) throws IOException {
        Map<String, String> settings = new HashMap<>(Map.of("remote.log.storage.system.enable", "true",
                "s3.endpoint", s3.endpoint().toString(), "s3.bucket", "strata",
                "s3.access.key", S3ProxyServer.DEFAULT_ACCESS_KEY, "s3.secret.key", S3ProxyServer.DEFAULT_SECRET_KEY,
                "log.dirs", dir.resolve("data").toString()));
        settings.putAll(metadataStore);
        Properties properties = new Properties();
        properties.putAll(settings);
        Path file = dir.resolve("inspect.properties");
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int code = new picocli.CommandLine(new StrataMain()).execute("inspect", "verify", "--config",
                    file.toString());
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void verifyNamesAnObjectTheDatabaseNeedsThatIsGoneAndAnUnnamedOneOfALiveWriterAndWritesNothing()
            throws IOException {
        // Given object 0 PUT but never committed, object 1 committed then deleted from the bucket, object 2
        // committed, object 3 PUT with its commit still to come
        String unreferenced = put(0);
        String missing = putAndCommit(1, 0, 5);
        putAndCommit(2, 5, 10);
        put(3);
        bucket.deleteAll(List.of(missing)).join();
        WalCatalog before = cluster.walCatalog();
        long version = cluster.changeVersion();

        // When inspect verifies the bucket against the database
        Run run = verify(metadataStore());

        // Then the lost object is WAL_MISSING, the skipped one WAL_UNREFERENCED, the rest counted
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains(
                "Write-ahead-log objects against the metadata database postgresql://postgres@" + database.host() + ":"
                        + database.port() + "/" + database.database() + ": 1 referenced, 0 collectable, 1 in flight",
                "PROBLEM WAL_MISSING " + missing + ": absent from the bucket, but the database needs it for topic ",
                "PROBLEM WAL_UNREFERENCED " + unreferenced + ": no database row names it",
                "2 problem(s)");
        assertThat(run.output()).doesNotContain(database.password().orElseThrow(), "Exception");
        // And the database is as it was
        assertThat(cluster.walCatalog()).isEqualTo(before);
        assertThat(cluster.changeVersion()).isEqualTo(version);
    }

    @Test
    void withoutAMetadataStoreVerifyChecksTheBucketAloneAndSaysSoOnce() throws IOException {
        put(0);
        putAndCommit(1, 0, 5);

        Run run = verify(Map.of());

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output().split("not checked against a metadata database", -1)).as(run.output()).hasSize(2);
        assertThat(run.output()).doesNotContain("WAL_MISSING", "WAL_UNREFERENCED");
    }

    @Test
    void anUnreachableMetadataDatabaseIsAnErrorInOneLine() throws IOException {
        put(0);

        Run run = verify(Map.of("metadata.store", "postgresql://127.0.0.1:1/none?user=u&password=s3cret"));

        assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("The metadata database postgresql://u@127.0.0.1:1/none could not be reached")
                .doesNotContain("s3cret", "\tat ");
    }
}
