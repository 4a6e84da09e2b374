package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.strata.faults.Prerequisites;
import io.strata.faults.broker.BrokerJvm;
import io.strata.faults.check.Verdict;
import io.strata.faults.inject.Tmpfs;
import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.Topics;
import io.strata.faults.load.Workload;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk fills up: the data directory is a 64 MiB tmpfs (needs root), a filler file takes all but 4 MiB
 * of it, the bucket is an S3 server elsewhere, and producers send as fast as they can until the broker can
 * write no more. The contract: while the disk is full the producers get errors (nothing is acknowledged that
 * is not written); once space frees (the filler is deleted; when it was small, because the disk was already
 * nearly full, the tmpfs also grows by 32 MiB), producing resumes (a broker that took its log directory offline may
 * need a restart, as Kafka's does, and the row says so); and every acknowledged record is there exactly
 * once. One fill in {@code mvn verify}, three in the campaign.
 */
class DiskFullTest {

    private static final String TOPIC = "diskfull";
    private static final int PARTITIONS = 2;
    private static final int TMPFS_MIB = 64;
    private static final long LEFT_FREE_BYTES = 4L * 1024 * 1024;

    @TempDir
    Path tempDir;

    @Test
    void producersGetErrorsWhenTheDiskIsFullAndResumeWithNothingLostWhenSpaceFrees() throws Exception {
        Tmpfs.Result mounted = Tmpfs.mount(tempDir.resolve("mnt"), TMPFS_MIB);
        if (mounted.tmpfs() == null) {
            Prerequisites.skipOrFail(mounted.message());
        }
        int fills = FaultRun.size(1, 3);
        try (Tmpfs tmpfs = mounted.tmpfs();
             S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(tempDir.resolve("s3"),
                     "faults"))) {
            assertTimeoutPreemptively(Duration.ofMinutes(FaultRun.size(6, 14)), () -> run(tmpfs, s3, fills));
        }
    }

    private void run(Tmpfs tmpfs, S3ProxyServer s3, int fills) throws Exception {
        // Given a broker whose data directory is a small tmpfs, tiering to an S3 server on another disk
        Path dataDir = tmpfs.path().resolve("data");
        Map<String, String> config = FaultRun.bucketProperties(s3, s3.endpoint().toString(), "");
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + BrokerJvm.freePort());
        config.put("remote.log.manager.task.interval.ms", "1000");
        // Local copies go once uploaded, every second, so that producing on does not fill the disk again before the
        // checker's final read (which would then meet KAFKA_STORAGE_ERROR)
        config.put("log.retention.check.interval.ms", "1000");
        BrokerJvm broker = BrokerJvm.start(dataDir, config, Map.of());
        SoftAssertions contract = new SoftAssertions();
        StringBuilder notes = new StringBuilder();
        int restarts = 0;
        int crashes = 0;
        try {
            String bootstrap = broker.bootstrapServers();
            Topics.create(bootstrap, TOPIC, PARTITIONS, Map.of("segment.bytes", "1048576", "retention.ms", "-1",
                    "local.retention.bytes", "1048576"));
            Map<String, Object> client = new HashMap<>();
            client.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
            Workload workload = new Workload(bootstrap, TOPIC, PARTITIONS, 2, 1,
                    CheckedProducer.Settings.defaults().withPadding(1000).withClient(client)).start();
            try {
                for (int fill = 1; fill <= fills; fill++) {
                    // And a filler file that leaves the broker little room
                    Path filler = tmpfs.fill("filler-" + fill, Math.max(0, tmpfs.usableBytes() - LEFT_FREE_BYTES));

                    // When the producers send until the disk is full
                    long failedBefore = workload.failed();
                    boolean full = Workload.awaitAtLeast(() -> workload.failed() - failedBefore, 1,
                            Duration.ofSeconds(180));
                    assertThat(full).as("fill %d: the producers got errors within 180 s (%d bytes free, %d acked)",
                            fill, tmpfs.usableBytes(), workload.acknowledged()).isTrue();
                    TimeUnit.SECONDS.sleep(5);
                    long ackedWhileFull = workload.acknowledged();
                    TimeUnit.SECONDS.sleep(5);
                    ackedWhileFull = workload.acknowledged() - ackedWhileFull;
                    boolean alive = broker.isAlive();
                    String seen = String.format("fill %d: %d bytes free, errors %s, %d acks in 5 s while full, "
                                    + "broker %s", fill, tmpfs.usableBytes(), workload.history().failures(),
                            ackedWhileFull, alive ? "running" : "exited (" + broker.exitValue() + ")");
                    System.out.println(seen);
                    notes.append(seen).append("; ");
                    if (!alive) {
                        crashes++;
                    }

                    // And space frees up
                    long fillerBytes = Files.size(filler);
                    Files.delete(filler);
                    // Room for what the producers held back (up to 2 x 32 MiB, sent at once on resuming) and for
                    // unthrottled producing until the uploads catch up: with 32 MiB more, the backlog filled the
                    // disk again 2 s after the restart and the final read met KAFKA_STORAGE_ERROR
                    tmpfs.grow(256);
                    long acked = workload.acknowledged();
                    int restartsBefore = restarts;
                    boolean resumed = alive && workload.awaitAcknowledged(acked + 500, Duration.ofSeconds(20));
                    if (!resumed) {
                        // Then producing resumes, at the latest after a restart
                        restarts++;
                        broker.kill();
                        broker = BrokerJvm.start(dataDir, config, Map.of());
                        resumed = workload.awaitAcknowledged(workload.acknowledged() + 500, Duration.ofSeconds(90));
                    }
                    System.out.printf("fill %d: producing %s%n", fill, !resumed ? "did not resume"
                            : restarts > restartsBefore ? "resumed after a restart" : "resumed without a restart");
                    contract.assertThat(resumed).as("fill %d: producing resumes once space is free", fill).isTrue();
                }
            } finally {
                workload.close();
            }
            notes.append("restarts needed: ").append(restarts);
            Verdict verdict = FaultRun.record("disk-full", "disk full (64 MiB tmpfs)", fills, bootstrap, TOPIC,
                    PARTITIONS, workload, crashes, notes.toString());
            contract.assertAll();
            FaultRun.assertPassed(verdict);
        } finally {
            broker.close();
        }
    }
}
