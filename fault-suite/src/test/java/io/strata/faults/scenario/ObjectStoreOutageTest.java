package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.strata.faults.broker.BrokerJvm;
import io.strata.faults.check.BucketCheck;
import io.strata.faults.check.Verdict;
import io.strata.faults.inject.FaultProxy;
import io.strata.faults.inject.FaultProxy.Mode;
import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.Topics;
import io.strata.faults.load.Workload;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.remote.BucketInspector.Problem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object store fails under load: a {@link FaultProxy} between the broker and the S3 server refuses every
 * connection (the store is gone), then swallows every request (it hangs), then answers slowly; each for 10 s
 * in {@code mvn verify} and 60 s in the campaign. The contract: producing goes on from the local disk
 * throughout; once the store is back, uploads catch up past everything written during the outage; at the
 * end every acknowledged record is there exactly once, and the bucket holds no orphan and no damaged
 * object ({@code strata inspect verify}).
 */
class ObjectStoreOutageTest {

    private static final String TOPIC = "outage";
    private static final int PARTITIONS = 2;
    private static final String PREFIX = "faults/";
    private static final List<Mode> OUTAGES = List.of(Mode.REFUSE, Mode.BLACKHOLE, Mode.SLOW);
    private static final long SLOW_DELAY_MS = 2_000;

    @TempDir
    Path tempDir;

    @Test
    void producingGoesOnDuringAnObjectStoreOutageAndUploadsCatchUpWithoutOrphans() throws Exception {
        int outageSeconds = FaultRun.size(10, 60);
        try (S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(tempDir.resolve("s3"), "faults"));
             FaultProxy proxy = FaultProxy.start(s3.port());
             S3ObjectStore store = S3ObjectStore.open(s3.clientConfig().prefix(PREFIX).build())) {
            assertTimeoutPreemptively(Duration.ofMinutes(FaultRun.size(5, 15)),
                    () -> run(proxy, s3, new BucketCheck(store), outageSeconds));
        }
    }

    private void run(FaultProxy proxy, S3ProxyServer s3, BucketCheck bucket, int outageSeconds) throws Exception {
        // Given a broker that tiers small segments through the fault proxy
        Path dataDir = tempDir.resolve("data");
        Map<String, String> config = FaultRun.bucketProperties(s3, "http://127.0.0.1:" + proxy.port(), PREFIX);
        config.put("remote.log.manager.task.interval.ms", "500");
        config.put("remote.log.manager.task.retry.backoff.max.ms", "2000");
        BrokerJvm broker = BrokerJvm.start(dataDir, config, Map.of());
        SoftAssertions contract = new SoftAssertions();
        StringBuilder notes = new StringBuilder();
        try {
            String bootstrap = broker.bootstrapServers();
            Topics.create(bootstrap, TOPIC, PARTITIONS, Map.of("segment.bytes", "65536",
                    "local.retention.bytes", "131072", "retention.ms", "-1"));
            Workload workload = new Workload(bootstrap, TOPIC, PARTITIONS, 2, 1,
                    CheckedProducer.Settings.defaults().withRate(500)).start();
            try {
                assertThat(workload.awaitAcknowledged(2_000, Duration.ofSeconds(90))).as("producing starts").isTrue();
                assertThat(awaitUploads(bucket, endOffsets(bootstrap), Duration.ofSeconds(90)))
                        .as("uploads work before the faults").isTrue();

                for (Mode outage : OUTAGES) {
                    // When the object store fails this way for a while
                    long ackedBefore = workload.acknowledged();
                    proxy.setMode(outage, SLOW_DELAY_MS);
                    TimeUnit.SECONDS.sleep(outageSeconds);
                    long ackedDuring = workload.acknowledged() - ackedBefore;
                    proxy.setMode(Mode.PASS);
                    Map<TopicPartition, Long> endAtRecovery = endOffsets(bootstrap);

                    // Then producing went on, and once it is back the uploads catch up past the outage
                    long catchUpStart = System.nanoTime();
                    boolean caughtUp = awaitUploads(bucket, endAtRecovery, Duration.ofSeconds(120));
                    String seen = String.format("%s %d s: %d acks during it, uploads %s", outage, outageSeconds,
                            ackedDuring, caughtUp ? "caught up in " + TimeUnit.NANOSECONDS.toSeconds(
                                    System.nanoTime() - catchUpStart) + " s" : "did not catch up in 120 s");
                    System.out.println(seen);
                    notes.append(seen).append("; ");
                    contract.assertThat(ackedDuring).as("%s: records acknowledged during the outage", outage)
                            .isGreaterThan(outageSeconds * 100L);
                    contract.assertThat(caughtUp).as("%s: uploads caught up after the outage", outage).isTrue();
                }
            } finally {
                proxy.setMode(Mode.PASS);
                workload.close();
            }

            // And every acknowledged record is there exactly once (reading both tiers)
            Verdict verdict = FaultRun.record("object-store-outage", "object store gone / hanging / slow ("
                    + outageSeconds + " s each)", OUTAGES.size(), bootstrap, TOPIC, PARTITIONS, workload,
                    broker.isAlive() ? 0 : 1, notes.toString());

            // And after a clean stop the bucket holds no orphan and no damaged object
            broker.stop();
            List<Problem> problems = bucket.verify();
            System.out.println("inspect verify: " + (problems.isEmpty() ? "OK" : problems));
            contract.assertThat(problems).as("strata inspect verify after the outages").isEmpty();
            contract.assertAll();
            FaultRun.assertPassed(verdict);
        } finally {
            broker.close();
        }
    }

    /** Waits until every partition's manifest reaches {@code ends}; false on timeout. */
    private static boolean awaitUploads(BucketCheck bucket, Map<TopicPartition, Long> ends, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<Integer, Long> uploaded = bucket.uploadedEnds(TOPIC);
            if (ends.entrySet().stream().allMatch(e -> uploaded.getOrDefault(e.getKey().partition(), 0L) >= e.getValue())) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        return false;
    }

    private static Map<TopicPartition, Long> endOffsets(String bootstrap) {
        List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap),
                new StringDeserializer(), new StringDeserializer())) {
            return consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }
}
