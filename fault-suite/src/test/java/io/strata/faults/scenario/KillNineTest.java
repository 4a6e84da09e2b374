package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.strata.faults.broker.BrokerJvm;
import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.Topics;
import io.strata.faults.load.Workload;
import java.nio.file.Path;
import java.time.Duration;
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

    private void run(int cycles) throws Exception {
        // Given a broker on a fixed port, tiering to its embedded S3 server, with a topic of small segments
        Path dataDir = tempDir.resolve("data");
        Map<String, String> config = Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:" + BrokerJvm.freePort(),
                "remote.log.manager.task.interval.ms", "1000");
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
                    // And restarted on the same data directory and port
                    broker = BrokerJvm.start(dataDir, config, Map.of());
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
            FaultRun.judge("kill-9", "kill -9 of the broker", cycles, bootstrap, TOPIC, PARTITIONS, workload,
                    crashes, "");
        } finally {
            broker.close();
        }
    }
}
