package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.faults.check.History;
import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover in cluster mode with the write-ahead log in the bucket (issue 15): acks=all is answered only once the
 * batches are in a WAL object and committed in the database, so when a leader dies, with or without its disk, the
 * controller gives its partitions to live brokers as soon as its lease expires, and they rebuild the tail from the
 * remote segments and the committed WAL ranges. Three broker JVMs ({@link BrokerCluster}: session timeout 6 s,
 * heartbeat 1 s), two idempotent acks=all producers and a consumer under way, judged by the checker (every
 * acknowledged record present exactly once at its offset, nothing a consumer saw rolled back) and by the failed
 * sends: none but retriable ones (a timeout while a partition had no leader; not an
 * {@code OutOfOrderSequenceException} from producer state lost in the move). How long each moved partition waited
 * for its first acknowledgement on a survivor is asserted against {@link #FAILOVER_BOUND} (the goal, reported in the
 * results table: session timeout + 2 s).
 */
class WalFailoverFaultTest {

    private static final String TOPIC = "walfailover";
    private static final int PARTITIONS = 6;
    private static final int BROKERS = 3;
    private static final int RECORDS_PER_SECOND = 400; // per producer
    /** Longest a moved partition may go without an acknowledgement after its leader died (generous: a loaded box). */
    private static final Duration FAILOVER_BOUND = Duration.ofMillis(5 * BrokerCluster.SESSION_MS);
    /** Acknowledgements that arrive this soon after a kill may have been answered by the killed broker. */
    private static final long IN_FLIGHT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(60);
    private static final String FAILOVER_NOTE = "ms from kill to first acknowledgement on a survivor, per moved"
            + " partition: ";

    @TempDir
    Path tempDir;

    private BrokerCluster cluster;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = BrokerCluster.create(tempDir, "wal_failover", BROKERS);
        cluster.startWithTopic(TOPIC, PARTITIONS, Map.of("segment.bytes", "131072", "retention.ms", "-1"));
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void killNineOfALeaderWithItsDiskDeletedLosesNothingAcknowledged() throws Exception {
        int cycles = FaultRun.size(3, 6);
        List<String> failovers = new ArrayList<>();
        Workload workload = workload();
        try {
            awaitProgress(workload, 1_000, "before the first kill");
            for (int cycle = 1; cycle <= cycles; cycle++) {
                // Given a broker that leads partitions (after its restart, once the placement gave it some again)
                int node = (cycle - 1) % BROKERS + 1;
                List<Integer> moved = cluster.awaitPartitionsLedBy(TOPIC, node);

                // When it is killed with SIGKILL and its disk is lost
                long killed = System.nanoTime();
                cluster.broker(node).kill();
                cluster.loseDisk(node);

                // Then each of its partitions accepts acks=all produce again on a survivor, without waiting for it
                Map<Integer, Long> waited = awaitAcknowledgedAgain(workload, moved, killed,
                        "broker " + node + " killed with its disk deleted (cycle " + cycle + ")");
                failovers.add("broker " + node + ": " + waited);
                // And the survivors go on while it stays away
                awaitProgress(workload, 1_000, "with broker " + node + " away");
                // (ignoring exceptions: an admin client may first try the dead broker)
                await().atMost(PROGRESS_TIMEOUT).ignoreExceptions().untilAsserted(() -> assertThat(
                        cluster.leaders(TOPIC)).as("leaders with broker %d away", node).doesNotContain(node, -1));

                // When it starts again on an empty data directory, it rejoins and leads partitions again
                cluster.start(node);
                cluster.awaitLeadersOn(TOPIC, cluster.nodes());
                awaitProgress(workload, 1_000, "after broker " + node + " rejoined");
            }
        } finally {
            workload.close();
        }
        judge("wal-kill-9-disk-lost", "kill -9 of a leader of 3 and its disk deleted, restarted empty", cycles,
                workload, FAILOVER_NOTE + failovers);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aLeaderKilledWithItsDiskKeptGetsItsPartitionsBackAndTruncates() throws Exception {
        int node = 2;
        Map<Integer, Long> waited;
        Workload workload = workload();
        try {
            awaitProgress(workload, 1_000, "before the kill");
            List<Integer> moved = cluster.awaitPartitionsLedBy(TOPIC, node);

            // When a leader is killed with SIGKILL, keeping its disk (which may hold a tail nobody acknowledged)
            long killed = System.nanoTime();
            cluster.broker(node).kill();

            // Then the survivors take its partitions over and accept more writes, at offsets its disk may hold too
            waited = awaitAcknowledgedAgain(workload, moved, killed, "broker " + node + " killed, disk kept");
            awaitProgress(workload, 1_000, "with broker " + node + " away");

            // When it starts again on its old disk and an admin gives it back the partitions it led
            cluster.start(node);
            cluster.reassign(TOPIC, moved, node);

            // Then it serves them from the committed log, not from its stale tail: writes go on, and the checker
            // finds every acknowledged record at its offset (the final read goes through it)
            awaitProgress(workload, 1_000, "after broker " + node + " got its partitions back");
            cluster.awaitLeadersOn(TOPIC, List.of(node));
        } finally {
            workload.close();
        }
        judge("wal-kill-9-disk-kept", "kill -9 of a leader of 3, disk kept, partitions given back", 1, workload,
                FAILOVER_NOTE + waited);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aBrokerPausedPastItsLeaseAcknowledgesNothingMore() throws Exception {
        int node = 2;
        long pausedMillis;
        Workload workload = workload();
        try {
            awaitProgress(workload, 1_000, "before the pause");
            int partition = cluster.awaitPartitionsLedBy(TOPIC, node).get(0);

            // When a leader stops (SIGSTOP) for twice its session timeout while the producers write to it (its WAL
            // PUTs and commits in flight), a record from a producer without retries waiting in its socket
            // Then that record is not acknowledged once it wakes (SIGCONT)
            pausedMillis = cluster.pausePastLeaseWithARecordWaiting(node, TOPIC, partition,
                    Duration.ofMillis(2 * BrokerCluster.SESSION_MS));

            // And it takes part again, and writes go on
            cluster.awaitLeadersOn(TOPIC, cluster.nodes());
            awaitProgress(workload, 1_000, "after broker " + node + " woke up");
        } finally {
            workload.close();
        }
        // And nothing it acknowledged before the takeover is lost, nothing it got after it is acknowledged
        judge("wal-sigstop-past-lease", "SIGSTOP of a leader of 3 past its lease, then SIGCONT", 1, workload,
                "stopped " + pausedMillis + " ms");
    }

    private Workload workload() {
        return new Workload(cluster.bootstrap(), TOPIC, PARTITIONS, 2, 1,
                CheckedProducer.Settings.defaults().withRate(RECORDS_PER_SECOND)).start();
    }

    private static void awaitProgress(Workload workload, long records, String when) throws InterruptedException {
        long before = workload.acknowledged();
        assertThat(workload.awaitAcknowledged(before + records, PROGRESS_TIMEOUT))
                .as("%d more acknowledgements %s (%d so far; failed sends %s)", records, when,
                        workload.acknowledged(), workload.history().failures()).isTrue();
    }

    /**
     * Waits until each of {@code partitions} gets an acknowledgement (from a live broker, so a second after
     * {@code killed} at the earliest); fails after {@link #FAILOVER_BOUND}, naming the partitions still waiting.
     *
     * @return for each partition, the milliseconds from {@code killed} to that acknowledgement (within the 50 ms
     *         this polls at)
     */
    private Map<Integer, Long> awaitAcknowledgedAgain(Workload workload, List<Integer> partitions, long killed,
                                                      String fault) throws Exception {
        History history = workload.history();
        Map<Integer, Long> waited = new TreeMap<>();
        long deadline = killed + FAILOVER_BOUND.toNanos();
        while (waited.size() < partitions.size() && System.nanoTime() < deadline) {
            for (int partition : partitions) {
                long last = history.lastAcknowledgedNanos(partition);
                if (!waited.containsKey(partition) && last > killed + IN_FLIGHT_NANOS) {
                    waited.put(partition, TimeUnit.NANOSECONDS.toMillis(last - killed));
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        List<Integer> waiting = partitions.stream().filter(p -> !waited.containsKey(p)).toList();
        assertThat(waiting).as(() -> String.format("after %s, partitions it led with no acknowledgement within %d s:"
                + " they did not move to a live broker (leaders now, -1 for none: %s; failed sends %s)", fault,
                FAILOVER_BOUND.toSeconds(), leadersOrWhy(), history.failures())).isEmpty();
        return waited;
    }

    private String leadersOrWhy() {
        try {
            return cluster.leaders(TOPIC).toString();
        } catch (Exception e) {
            return "unknown: " + e;
        }
    }

    /**
     * The checker's verdict, recorded in the results table with {@code notes} and the longest produce stall of each
     * partition; then: no failed send but retriable ones.
     */
    private void judge(String name, String fault, long faults, Workload workload, String notes) {
        String stalls = "; longest produce stall per partition " + workload.history().longestAckGapsMillis().values()
                + " ms";
        FaultRun.judge(name, fault, faults, cluster.bootstrap(), TOPIC, PARTITIONS, workload, 0, notes + stalls);
        assertThat(workload.history().failedNotRetriable()).as("failed sends that are not retriable (all failed: %s)",
                workload.history().failures()).isZero();
    }
}
