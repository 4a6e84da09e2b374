package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.Workload;
import io.strata.metadata.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of cluster mode: three broker JVMs, one real PostgreSQL (a throwaway server, a database per test), one S3
 * server, idempotent acks=all producers and a consumer under way, judged by the checker (every acknowledged record
 * present exactly once at its offset, nothing a consumer saw rolled back).
 */
class ClusterFaultTest {

    private static final String TOPIC = "cluster";
    private static final int PARTITIONS = 6;
    private static final int BROKERS = 3;

    @TempDir
    Path tempDir;

    private BrokerCluster cluster;

    @BeforeEach
    void startServices() throws Exception {
        cluster = BrokerCluster.create(tempDir, "cluster_faults", BROKERS);
    }

    @AfterEach
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startCluster() throws Exception {
        cluster.startWithTopic(TOPIC, PARTITIONS, Map.of("segment.bytes", "131072", "retention.ms", "-1"));
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aRollingRestartOfEveryBrokerUnderLoadLosesNothing() throws Exception {
        startCluster();
        Workload workload = new Workload(cluster.bootstrap(), TOPIC, PARTITIONS, 2, 1,
                CheckedProducer.Settings.defaults().withRate(400)).start();
        long started = System.nanoTime();
        try {
            for (int node = 1; node <= BROKERS; node++) {
                long before = workload.acknowledged();
                assertThat(workload.awaitAcknowledged(before + 500, Duration.ofSeconds(60))).as("progress before"
                        + " restarting broker %d (failed %s)", node, workload.history().failures()).isTrue();
                // SIGTERM: the broker hands each partition over before it exits
                cluster.broker(node).stop();
                cluster.start(node);
                awaitLeadersOn(List.of(1, 2, 3));
            }
            long after = workload.acknowledged();
            assertThat(workload.awaitAcknowledged(after + 500, Duration.ofSeconds(60))).isTrue();
        } finally {
            workload.close();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        // Reported, not asserted: each partition moved twice (away from its broker and back to it)
        Map<Integer, Long> stalls = workload.history().longestAckGapsMillis();
        FaultRun.judge("cluster-rolling-restart", "rolling restart of 3 brokers", BROKERS, cluster.bootstrap(),
                TOPIC, PARTITIONS, workload, 0, "whole restart " + seconds + " s; longest produce stall per partition "
                        + stalls.values() + " ms");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theDatabaseRestartedUnderLoadIsRiddenThroughAndLosesNothing() throws Exception {
        startCluster();
        Workload workload = new Workload(cluster.bootstrap(), TOPIC, PARTITIONS, 2, 1,
                CheckedProducer.Settings.defaults().withRate(400)).start();
        long down;
        try {
            assertThat(workload.awaitAcknowledged(1_000, Duration.ofSeconds(60))).isTrue();
            // When PostgreSQL stops for longer than the brokers' session timeout, then comes back
            long stopped = System.nanoTime();
            PostgresServer.shared().stopServer();
            try {
                TimeUnit.MILLISECONDS.sleep(2 * BrokerCluster.SESSION_MS); // the fault: the database away this long
            } finally {
                PostgresServer.shared().startServer();
            }
            down = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            // Then the brokers serve again: acknowledgements resume and every partition has its leader
            long after = workload.acknowledged();
            assertThat(workload.awaitAcknowledged(after + 1_000, Duration.ofSeconds(90)))
                    .as("acknowledgements resume after the database is back (failed %s)",
                            workload.history().failures()).isTrue();
            awaitLeadersOn(List.of(1, 2, 3));
        } finally {
            workload.close();
        }
        FaultRun.judge("cluster-database-restart", "PostgreSQL stopped under load, then restarted", 1,
                cluster.bootstrap(), TOPIC, PARTITIONS, workload, 0, "database down " + down
                        + " ms; longest produce stall per partition "
                        + workload.history().longestAckGapsMillis().values() + " ms");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void withoutTheWalABrokerKilledWithItsDiskKeptHoldsItsPartitionsUntilItReturns() throws Exception {
        // wal.enable=false: acknowledged records not yet uploaded are on the leader's disk only (Kafka's RF=1 rule)
        cluster.set("wal.enable", "false");
        startCluster();
        Workload workload = new Workload(cluster.bootstrap(), TOPIC, PARTITIONS, 2, 1,
                CheckedProducer.Settings.defaults().withRate(400)).start();
        try {
            assertThat(workload.awaitAcknowledged(1_000, Duration.ofSeconds(60))).isTrue();
            cluster.broker(2).kill();
            // Its partitions wait for it (their newest acknowledged records are on its disk only): no leader
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    assertThat(leaders()).doesNotContain(2).contains(-1));
            cluster.start(2);
            awaitLeadersOn(List.of(1, 2, 3));
            long after = workload.acknowledged();
            assertThat(workload.awaitAcknowledged(after + 1_000, Duration.ofSeconds(90))).isTrue();
        } finally {
            workload.close();
        }
        FaultRun.judge("cluster-kill-9-no-wal", "kill -9 of one of 3 brokers, disk kept, wal.enable=false", 1, cluster.bootstrap(), TOPIC,
                PARTITIONS, workload, 0, "");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBrokerPausedPastItsLeaseAcknowledgesNothingOnceAwake() throws Exception {
        startCluster();
        // Once the controller's placement settled (two partitions each), one that broker 2 leads
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaders()).filteredOn(leader -> leader == 2).hasSize(PARTITIONS / BROKERS));
        int partition = leaders().indexOf(2);
        // When broker 2 stops for twice its session timeout, a record for its partition waiting in its socket
        // Then that record is not acknowledged: the broker wakes with a view older than its lease allows
        cluster.pausePastLeaseWithARecordWaiting(2, TOPIC, partition,
                Duration.ofMillis(2 * BrokerCluster.SESSION_MS));
        // And the broker gets its partitions back and serves them
        awaitLeadersOn(List.of(1, 2, 3));
    }

    private List<Integer> leaders() throws Exception {
        return cluster.leaders(TOPIC);
    }

    private void awaitLeadersOn(List<Integer> nodes) {
        cluster.awaitLeadersOn(TOPIC, nodes);
    }
}
