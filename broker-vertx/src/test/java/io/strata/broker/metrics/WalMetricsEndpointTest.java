package io.strata.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalRange;
import io.strata.metadata.postgres.PostgresSettings;
import io.strata.metadata.testing.PostgresServer;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.testing.InMemoryObjectStore;
import io.strata.tiering.testing.WalObjectFixture;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.wal.WalChain;
import io.strata.tiering.wal.WalGcMetrics;
import io.strata.tiering.wal.WalMetrics;
import io.strata.tiering.wal.WalSettings;
import io.strata.tiering.wal.WalWriter;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-ahead log's series on {@code /metrics}: a {@link WalWriter} writes one object of two partitions to an
 * in-memory store and commits it (the database answers COMMITTED for one partition, FENCED for the other), and
 * Prometheus scrapes the broker's HTTP server (no cluster needed: the meters read a {@link WalMetrics}); and a
 * broker in cluster mode serves the same series.
 */
class WalMetricsEndpointTest {

    private static final TopicPartitionId LED = new TopicPartitionId(WalObjectFixture.TOPIC_A, 0);
    private static final TopicPartitionId MOVED = new TopicPartitionId(WalObjectFixture.TOPIC_B, 3);

    private final Vertx vertx = Vertx.vertx();
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final WalMetrics wal = new WalMetrics();
    private WalWriter writer;

    @AfterEach
    void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        metrics.close();
    }

    private static WalWriter.Listener ignoring() {
        return new WalWriter.Listener() {
            @Override
            public void committed(long endOffset) {
            }

            @Override
            public void failed(long fromOffset, int leaderEpoch, RuntimeException cause) {
            }
        };
    }

    private void append(TopicPartitionId partition) {
        ByteBuffer batch = WalObjectFixture.batch(0, 0, 3);
        writer.add(partition, 7, 0, 3, batch, List.of(new WalBatch(0, 2, WalObjectFixture.PRODUCER_ID, (short) 2, 0, 2,
                WalObjectFixture.CREATED_MS + 2)), ignoring());
    }

    @Test
    void writeAheadLogPutsCommitsFencedRangesFillAndCommitLatencyAreOnMetrics() throws Exception {
        // Given the broker's metrics bound to a write-ahead log that wrote and committed one object, and to a
        // collection that deleted one object no range needed and one orphan above a gap in a single broker's chain
        WalGcMetrics gc = new WalGcMetrics();
        metrics.bindWal(wal, gc);
        InMemoryObjectStore chainBucket = new InMemoryObjectStore();
        for (long sequence : new long[] {0, 1, 3}) {
            chainBucket.put(WalObjectFixture.key(sequence), WalObjectFixture.twoPartitions(sequence).bytes(),
                    PutCondition.IF_ABSENT).join();
        }
        WalChain chain = WalChain.load(chainBucket, 1, gc);
        chain.release(new TopicPartitionId(WalObjectFixture.TOPIC_A, 0), Long.MAX_VALUE);
        chain.release(new TopicPartitionId(WalObjectFixture.TOPIC_B, 3), Long.MAX_VALUE);
        chain.collect();
        writer = new WalWriter(new InMemoryObjectStore(),
                commit -> commit.ranges().stream().collect(Collectors.toMap(WalRange::partition,
                        range -> range.partition().equals(LED) ? WalCommitOutcome.COMMITTED : WalCommitOutcome.FENCED)),
                1, WalObjectFixture.INCARNATION, new WalSettings(Duration.ofSeconds(60), 1000, 2, 4000), wal);
        append(LED);
        append(MOVED);
        writer.flush().get(30, TimeUnit.SECONDS);
        MetricsHttpServer http = MetricsHttpServer.start(vertx, "127.0.0.1", 0, metrics, new BrokerReadiness())
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        // When Prometheus scrapes the broker
        PrometheusText scraped = HttpProbe.scrape(http.port());

        // Then every WAL series is there with what the writer did
        assertThat(scraped.require("strata_wal_puts_total")).isEqualTo(1);
        assertThat(scraped.require("strata_wal_put_bytes_total")).isEqualTo(wal.putBytes()).isPositive();
        assertThat(scraped.require("strata_wal_put_errors_total")).isZero();
        assertThat(scraped.require("strata_wal_commits_total")).isEqualTo(1);
        assertThat(scraped.require("strata_wal_commit_errors_total")).isZero();
        assertThat(scraped.require("strata_wal_fenced_ranges_total")).isEqualTo(1);
        assertThat(scraped.require("strata_wal_objects_in_flight")).isZero();
        assertThat(scraped.require("strata_wal_linger_fill_ratio")).isEqualTo(wal.meanFillRatio()).isPositive();
        assertThat(scraped.require("strata_wal_commit_latency_seconds_count")).isEqualTo(1);
        assertThat(scraped.require("strata_wal_commit_latency_seconds_bucket", "le", "+Inf")).isEqualTo(1);
        assertThat(scraped.series("strata_wal_commit_latency_seconds_bucket")).hasSizeGreaterThan(10);
        assertThat(scraped.require("strata_wal_commit_latency_seconds_sum")).isPositive();
        assertThat(scraped.require("strata_wal_gc_objects_collected_total")).isEqualTo(1);
        assertThat(scraped.require("strata_wal_gc_orphans_collected_total")).isEqualTo(1);
        assertThat(scraped.require("strata_wal_gc_writers_revoked_total")).isZero();
        assertThat(scraped.require("strata_wal_gc_failed_passes_total")).isZero();
    }

    @Test
    void aBrokerInClusterModeServesTheWriteAheadLogSeries(@TempDir Path dir) throws Exception {
        // Given one broker in cluster mode (PostgreSQL metadata store, an S3 server) with its HTTP server on
        PostgresSettings database = PostgresServer.shared().createDatabase("wal_metrics");
        try (S3ProxyServer s3 = S3ProxyServer.start(
                S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "strata-it"))) {
            Map<String, String> properties = new HashMap<>();
            properties.put("node.id", "1");
            properties.put("listeners", "PLAINTEXT://127.0.0.1:0");
            properties.put("http.port", "0");
            properties.put("log.dirs", dir.resolve("data").toString());
            properties.put("metadata.store", "postgresql://127.0.0.1:" + database.port() + "/" + database.database());
            properties.put("metadata.store.user", PostgresServer.USER);
            properties.put("metadata.store.password", PostgresServer.PASSWORD);
            properties.put("s3.endpoint", s3.endpoint().toString());
            properties.put("s3.access.key", s3.settings().accessKey());
            properties.put("s3.secret.key", s3.settings().secretKey());
            properties.put("s3.bucket", "strata-it");
            properties.put("s3.region", S3ProxyServer.REGION);
            properties.put("s3.path.style", "true");
            try (StrataBroker broker = StrataBroker.start(BrokerConfig.of(properties))) {
                // When Prometheus scrapes it
                PrometheusText scraped = HttpProbe.scrape(broker.httpPort().orElseThrow());

                // Then the write-ahead log's series are there
                for (String series : List.of("strata_wal_puts_total", "strata_wal_put_bytes_total",
                        "strata_wal_put_errors_total", "strata_wal_commits_total", "strata_wal_commit_errors_total",
                        "strata_wal_fenced_ranges_total", "strata_wal_objects_in_flight",
                        "strata_wal_linger_fill_ratio", "strata_wal_commit_latency_seconds_count",
                        "strata_wal_gc_objects_collected_total", "strata_wal_gc_orphans_collected_total")) {
                    assertThat(scraped.value(series)).as(series).isPresent();
                }
            }
        }
    }
}
