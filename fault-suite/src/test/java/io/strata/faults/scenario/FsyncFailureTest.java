package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.strata.faults.Prerequisites;
import io.strata.faults.broker.BrokerJvm;
import io.strata.faults.check.Verdict;
import io.strata.faults.inject.FsyncShim;
import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.Topics;
import io.strata.faults.load.Workload;
import io.strata.faults.report.CampaignReport;
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
 * fsync fails below the log: the broker runs with an {@code LD_PRELOAD} shim ({@link FsyncShim}) that makes
 * {@code fsync}/{@code fdatasync} return {@code EIO} while armed, on the topic's partition files (one test)
 * or in RocksDB's directory (the other), and fsyncs before every acknowledgement
 * ({@code log.flush.interval.messages=1}). The contract: while fsync fails, nothing is acknowledged (data
 * that could not be synced is never confirmed); the broker either reports errors to the producers or stops,
 * and never silently goes on; after fsync works again and the broker is restarted, every record
 * acknowledged before is there exactly once, where its acknowledgement said. One fault window of 12 s in
 * {@code mvn verify}, three in the campaign.
 */
class FsyncFailureTest {

    private static final String TOPIC = "fsync";
    private static final int PARTITIONS = 2;
    /** Sends already on their way when the shim is armed may still be acknowledged within this time. */
    private static final Duration ARM_GRACE = Duration.ofSeconds(2);
    /** How long fsync fails: longer than the producers' delivery timeout, so that errors reach them. */
    private static final Duration FAULT_WINDOW = Duration.ofSeconds(12);

    @TempDir
    Path tempDir;

    @Test
    void noRecordIsAcknowledgedWhileFsyncOfTheLogFailsAndNoneAcknowledgedIsLost() throws Exception {
        inject(TOPIC + "-", "fsync-failure-log", "fsync fails (EIO) on the segment files");
    }

    @Test
    void noRecordIsAcknowledgedWhileFsyncOfRocksDbFailsAndNoneAcknowledgedIsLost() throws Exception {
        inject("rocksdb/", "fsync-failure-rocksdb", "fsync fails (EIO) in RocksDB");
    }

    /** Runs the fault with fsync failing on the files under {@code dataDir/target}. */
    private void inject(String target, String name, String fault) throws Exception {
        FsyncShim.Result built = FsyncShim.build(CampaignReport.resultsDir().resolve("fsync-shim"));
        if (built.shim().isEmpty()) {
            Prerequisites.skipOrFail("the fsync shim could not be built: " + built.message());
        }
        int windows = FaultRun.size(1, 3);
        assertTimeoutPreemptively(Duration.ofMinutes(FaultRun.size(4, 12)),
                () -> run(built.shim().orElseThrow(), windows, target, name, fault));
    }

    private void run(FsyncShim shim, int windows, String target, String name, String fault) throws Exception {
        // Given a broker that fsyncs before each acknowledgement, with the shim loaded but not armed
        Path dataDir = tempDir.resolve("data");
        Map<String, String> config = Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:" + BrokerJvm.freePort(),
                "log.flush.interval.messages", "1");
        Map<String, String> environment = shim.environment(dataDir.resolve(target));
        BrokerJvm broker = BrokerJvm.start(dataDir, config, environment);
        long acknowledgedWhileFailing = 0;
        int brokerStops = 0;
        StringBuilder notes = new StringBuilder();
        // The contract is checked softly, so that a violation still shows what the restart and the checker find.
        SoftAssertions contract = new SoftAssertions();
        try {
            String bootstrap = broker.bootstrapServers();
            Topics.create(bootstrap, TOPIC, PARTITIONS, Map.of("segment.bytes", "262144", "retention.ms", "-1"));
            Map<String, Object> client = new HashMap<>();
            client.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8_000);
            Workload workload = new Workload(bootstrap, TOPIC, PARTITIONS, 2, 1,
                    CheckedProducer.Settings.defaults().withRate(300).withClient(client)).start();
            try {
                for (int window = 1; window <= windows; window++) {
                    long before = workload.acknowledged();
                    assertThat(workload.awaitAcknowledged(before + 500, Duration.ofSeconds(90)))
                            .as("window %d: producing works before the fault (failed %s)", window,
                                    workload.history().failures()).isTrue();

                    // When fsync starts failing on the partition files
                    long injectedBefore = shim.injected();
                    long failedBefore = workload.failed();
                    shim.arm();
                    TimeUnit.MILLISECONDS.sleep(ARM_GRACE.toMillis());
                    long ackedAtGrace = workload.acknowledged();
                    broker.awaitExit(FAULT_WINDOW);
                    long ackedWhileArmed = workload.acknowledged() - ackedAtGrace;
                    acknowledgedWhileFailing += ackedWhileArmed;
                    boolean stopped = !broker.isAlive();
                    long injected = shim.injected() - injectedBefore;
                    long errors = workload.failed() - failedBefore;
                    String seen = String.format("window %d: %d fsync failures injected, %d acks while failing, "
                            + "%d failed sends, broker %s", window, injected, ackedWhileArmed, errors,
                            stopped ? "exited (" + broker.exitValue() + ")" : "still running");
                    System.out.println(seen);
                    notes.append(seen).append("; ");

                    // Then the shim did fail fsyncs, nothing was acknowledged while it did,
                    // and the broker stopped or the producers were told
                    assertThat(injected).as("the broker fsynced the partition files while armed").isPositive();
                    contract.assertThat(ackedWhileArmed).as("window %d: records acknowledged while every fsync failed",
                            window).isZero();
                    contract.assertThat(stopped || errors > 0)
                            .as("after failed fsyncs the broker either stops or answers with errors").isTrue();

                    // When fsync works again and the broker is restarted on the same data
                    shim.disarm();
                    if (stopped) {
                        brokerStops++;
                    }
                    broker.kill();
                    broker = BrokerJvm.start(dataDir, config, environment);
                }
                long afterLast = workload.acknowledged();
                assertThat(workload.awaitAcknowledged(afterLast + 500, Duration.ofSeconds(90)))
                        .as("producing resumes after the restart (failed %s)", workload.history().failures())
                        .isTrue();
            } finally {
                shim.disarm();
                workload.close();
            }

            // Then every acknowledged record is there exactly once, where its acknowledgement said
            Verdict verdict = FaultRun.record(name, fault, windows, bootstrap, TOPIC, PARTITIONS, workload,
                    brokerStops, notes + "acks while failing: " + acknowledgedWhileFailing);
            contract.assertAll();
            FaultRun.assertPassed(verdict);
        } finally {
            shim.disarm();
            broker.close();
        }
    }
}
