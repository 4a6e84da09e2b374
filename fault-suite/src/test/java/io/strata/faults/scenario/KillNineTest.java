package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.strata.faults.broker.BrokerJvm;
import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.Topics;
import io.strata.faults.load.Workload;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the broker under load, again and again (3 cycles in {@code mvn verify}, 20 in the
 * campaign), each time restarted on the same data directory, embedded S3 data and port, while idempotent
 * producers keep sending and a consumer keeps reading. Small segments, so kills land across rolls, uploads
 * and local deletions. Nothing acknowledged may be lost, duplicated or moved, and nothing a consumer saw may
 * roll back.
 */
class KillNineTest {

    private static final String TOPIC = "kill9";
    private static final int PARTITIONS = 3;

    @TempDir
    Path tempDir;

    @Test
    void everyAcknowledgedRecordSurvivesRepeatedSigkillExactlyOnce() {
        int cycles = FaultRun.size(3, 20);
        assertTimeoutPreemptively(Duration.ofMinutes(FaultRun.size(4, 15)), () -> run(cycles));
    }

    /**
     * A single broker with the write-ahead log ({@code wal.enable=true}, CLUSTER.md rule 5) over an S3 server of its
     * own: each kill also deletes its data directory, and it restarts on an empty disk with every record it
     * acknowledged, replayed from the bucket's chain of WAL objects.
     */
    @Test
    void aSingleBrokerWithTheWalLosesNothingWhenKilledWithItsDiskDeleted() throws Exception {
        int cycles = FaultRun.size(3, 10);
        try (S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(tempDir.resolve("s3"),
                "single-wal"))) {
            Map<String, String> bucket = new HashMap<>(FaultRun.bucketProperties(s3, s3.endpoint().toString(), ""));
            bucket.put("wal.enable", "true");
            // a broker on an empty disk cannot prove it is the one that claimed the bucket: it waits for the claim
            bucket.put("bucket.claim.ttl.ms", "5000");
            assertTimeoutPreemptively(Duration.ofMinutes(FaultRun.size(4, 12)), () -> run(cycles, bucket, true));
        }
    }

    private void run(int cycles) throws Exception {
        run(cycles, Map.of(), false);
    }

    private void run(int cycles, Map<String, String> settings, boolean loseDisk) throws Exception {
        // Given a broker on a fixed port, tiering to its embedded S3 server (or the one in settings), with a topic of
        // small segments
        Path dataDir = tempDir.resolve("data");
        Map<String, String> config = new HashMap<>(settings);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + BrokerJvm.freePort());
        config.put("remote.log.manager.task.interval.ms", "1000");
        BrokerJvm broker = BrokerJvm.start(dataDir, config, Map.of());
        int crashes = 0;
        try {
            String bootstrap = broker.bootstrapServers();
            Topics.create(bootstrap, TOPIC, PARTITIONS, Map.of("segment.bytes", "131072",
                    "local.retention.bytes", "262144", "retention.ms", "-1"));

            // And two idempotent producers and a consumer under way
            Workload workload = new Workload(bootstrap, TOPIC, PARTITIONS, 2, 1,
                    CheckedProducer.Settings.defaults().withRate(800)).start();
            try {
                for (int cycle = 1; cycle <= cycles; cycle++) {
                    // When the broker is killed with SIGKILL at a random moment after some progress
                    long before = workload.acknowledged();
                    assertThat(workload.awaitAcknowledged(before + 1_000, Duration.ofSeconds(90)))
                            .as("cycle %d: acknowledgements resume after the restart (%d so far, failed %s)", cycle,
                                    workload.acknowledged(), workload.history().failures()).isTrue();
                    TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextInt(2_000));
                    if (!broker.isAlive()) {
                        crashes++;
                    }
                    broker.kill();
                    if (loseDisk) {
                        FaultRun.loseDisk(dataDir);
                    }
                    // And restarted on the same data directory (or an empty one) and port
                    broker = loseDisk ? startOnceTheClaimExpires(dataDir, config) : BrokerJvm.start(dataDir, config,
                            Map.of());
                    assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
                }
                long afterLast = workload.acknowledged();
                assertThat(workload.awaitAcknowledged(afterLast + 1_000, Duration.ofSeconds(90)))
                        .as("acknowledgements resume after the last restart").isTrue();
            } finally {
                workload.close();
            }
            if (!broker.isAlive()) {
                crashes++;
            }

            // Then every acknowledged record is there exactly once, where its acknowledgement said
            FaultRun.judge(loseDisk ? "kill-9-disk-lost-wal" : "kill-9", loseDisk
                    ? "kill -9 of a single broker with the WAL, its data directory deleted" : "kill -9 of the broker",
                    cycles, bootstrap, TOPIC, PARTITIONS, workload, crashes, "");
        } finally {
            broker.close();
        }
    }

    /**
     * Starts the broker as a supervisor would restart it: a start on an empty disk is refused (exit code 1) while the
     * killed broker's claim of the bucket lives ({@code bucket.claim.ttl.ms}), and is tried again.
     */
    private static BrokerJvm startOnceTheClaimExpires(Path dataDir, Map<String, String> config) {
        java.util.concurrent.atomic.AtomicReference<BrokerJvm> started = new java.util.concurrent.atomic.AtomicReference<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    try {
                        started.set(BrokerJvm.start(dataDir, config, Map.of()));
                        return true;
                    } catch (IllegalStateException e) {
                        if (!String.valueOf(e.getMessage()).contains("is claimed by")) {
                            throw e;
                        }
                        return false;
                    }
                });
        return started.get();
    }
}
