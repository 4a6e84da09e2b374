package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.faults.Prerequisites;
import io.strata.faults.check.FinalLog;
import io.strata.faults.check.History;
import io.strata.faults.check.Observation;
import io.strata.faults.inject.ClockShim;
import io.strata.faults.inject.FaultProxy;
import io.strata.faults.inject.FaultProxy.Mode;
import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.FinalRead;
import io.strata.faults.load.Topics;
import io.strata.faults.load.Workload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around the write-ahead log in cluster mode (issue 15) beyond kills and pauses ({@link WalFailoverFaultTest})
 * and the database restart ({@link ClusterFaultTest}): the database's answers to commits lost, the object store slow
 * or refusing, a topic deleted and re-created while its partitions move, a broker's wall clock jumping. Three broker JVMs ({@link BrokerCluster}),
 * two idempotent acks=all producers and a consumer under way, judged by the checker (every acknowledged record
 * present exactly once at its offset, nothing a consumer saw rolled back) and by the failed sends: none but
 * retriable ones.
 */
class WalFaultTest {

    private static final String TOPIC = "walfaults";
    private static final int PARTITIONS = 6;
    private static final int BROKERS = 3;
    private static final int RECORDS_PER_SECOND = 400; // per producer
    private static final Map<String, String> TOPIC_CONFIGS = Map.of("segment.bytes", "131072", "retention.ms", "-1");
    private static final Duration PROGRESS_TIMEOUT = Duration.ofSeconds(60);
    /**
     * PostgreSQL's CommandComplete message for COMMIT ('C', length 11, "COMMIT\0"): sent once the transaction is
     * committed, so dropping it loses the answer, not the commit.
     */
    private static final byte[] COMMIT_COMPLETE = {'C', 0, 0, 0, 11, 'C', 'O', 'M', 'M', 'I', 'T', 0};
    /** Shorter than a lease (session timeout less a heartbeat): the brokers' renewals lose their answers too. */
    private static final Duration REPLIES_LOST_FOR = Duration.ofSeconds(4);
    private static final long SLOW_STORE_DELAY_MS = 300;
    private static final Duration SLOW_STORE_FOR = Duration.ofSeconds(10);
    private static final Duration STORE_REFUSING_FOR = Duration.ofSeconds(15);
    private static final long CLOCK_JUMP_MS = Duration.ofHours(1).toMillis();
    /** How long a broker's clock stays jumped: past a whole session timeout, so a lease read off it would expire. */
    private static final Duration CLOCK_JUMPED_FOR = Duration.ofMillis(2 * BrokerCluster.SESSION_MS);

    @TempDir
    Path tempDir;

    private BrokerCluster cluster;
    private FaultProxy proxy;

    @AfterEach
    void stopAll() {
        if (cluster != null) {
            cluster.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void commitsWhoseAnswersAreLostAreRetriedIdempotentlyAndLoseNothing() throws Exception {
        // Given brokers that reach the database through a proxy
        cluster = BrokerCluster.create(tempDir, "wal_lost_replies", BROKERS);
        proxy = FaultProxy.start(cluster.databasePort());
        cluster.set("metadata.store", cluster.metadataStore(proxy.port()));
        cluster.startWithTopic(TOPIC, PARTITIONS, TOPIC_CONFIGS);
        int cycles = FaultRun.size(3, 10);
        Workload workload = workload(TOPIC, "");
        try {
            awaitProgress(workload, 1_000, "before the first lost answer");
            for (int cycle = 1; cycle <= cycles; cycle++) {
                // When, for a while, every transaction commits but its answer never reaches the broker (the
                // connection is cut instead): WAL commits, lease renewals, the controller's writes
                proxy.loseRepliesContaining(COMMIT_COMPLETE);
                TimeUnit.MILLISECONDS.sleep(REPLIES_LOST_FOR.toMillis());
                proxy.setMode(Mode.PASS);
                // Then the writers' retries of the same commits find them done, and producing goes on
                awaitProgress(workload, 1_000, "after the answers came back (cycle " + cycle + ")");
            }
            cluster.awaitLeadersOn(TOPIC, cluster.nodes());
        } finally {
            proxy.setMode(Mode.PASS);
            workload.close();
        }
        // And the fault reached the write-ahead log: some WAL commit failed for its writer and was tried again
        long walCommitsRetried = cluster.nodes().stream().map(cluster::broker)
                .flatMap(broker -> broker.log().lines())
                .filter(line -> line.contains("Committing WAL object") && line.contains("outcome is unknown"))
                .count();
        assertThat(walCommitsRetried).as("WAL commits whose answer was lost, retried (broker log lines)").isPositive();
        judge("wal-lost-commit-replies", "answers to COMMIT lost (" + REPLIES_LOST_FOR.toSeconds() + " s each)",
                cycles, workload, "answers lost " + proxy.lostReplies() + ", WAL commits retried after a lost answer "
                        + walCommitsRetried + " (first attempts logged)");
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void produceWaitsWhileTheObjectStoreIsSlowOrRefusingAndResumesLosingNothing() throws Exception {
        // Given brokers that reach the object store through a proxy
        cluster = BrokerCluster.create(tempDir, "wal_store_faults", BROKERS);
        proxy = FaultProxy.start(cluster.s3Port());
        cluster.set("s3.endpoint", "http://127.0.0.1:" + proxy.port());
        cluster.startWithTopic(TOPIC, PARTITIONS, TOPIC_CONFIGS);
        List<String> notes = new ArrayList<>();
        Workload workload = workload(TOPIC, "");
        try {
            awaitProgress(workload, 1_000, "before the object store faults");

            // When every answer of the object store is late by 300 ms per chunk for a while
            long before = workload.acknowledged();
            proxy.setMode(Mode.SLOW, SLOW_STORE_DELAY_MS);
            TimeUnit.MILLISECONDS.sleep(SLOW_STORE_FOR.toMillis());
            long duringSlow = workload.acknowledged() - before;
            proxy.setMode(Mode.PASS);
            // Then acks=all produce only waited (WAL PUTs are slower), and goes on afterwards
            notes.add(String.format("slow (+%d ms per chunk) %d s: %d acks during it, %d ms to 1000 more after",
                    SLOW_STORE_DELAY_MS, SLOW_STORE_FOR.toSeconds(), duringSlow,
                    awaitProgress(workload, 1_000, "after the slow object store")));
            assertThat(duringSlow).as("records acknowledged while the object store was slow").isPositive();

            // When the object store refuses every connection for a while (open ones cut)
            before = workload.acknowledged();
            proxy.setMode(Mode.REFUSE);
            TimeUnit.MILLISECONDS.sleep(STORE_REFUSING_FOR.toMillis());
            long duringRefusal = workload.acknowledged() - before;
            proxy.setMode(Mode.PASS);
            // Then produce waits (WAL PUTs retried with the same bytes) or fails retriably, and resumes
            notes.add(String.format("refusing %d s: %d acks during it, %d ms to 1000 more after",
                    STORE_REFUSING_FOR.toSeconds(), duringRefusal,
                    awaitProgress(workload, 1_000, "after the object store came back")));
            cluster.awaitLeadersOn(TOPIC, cluster.nodes());
        } finally {
            proxy.setMode(Mode.PASS);
            workload.close();
        }
        judge("wal-object-store-slow-refusing", "object store slow " + SLOW_STORE_FOR.toSeconds() + " s, then"
                + " refusing " + STORE_REFUSING_FOR.toSeconds() + " s", 2, workload, String.join("; ", notes)
                + "; failed connections " + proxy.failedConnections());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aTopicDeletedAndRecreatedDuringAFailoverHoldsOnlyItsOwnRecords() throws Exception {
        String bystander = "bystander";
        cluster = BrokerCluster.create(tempDir, "wal_topic_recreated", BROKERS);
        cluster.startWithTopic(TOPIC, PARTITIONS, TOPIC_CONFIGS);
        Topics.create(cluster.bootstrap(), bystander, PARTITIONS, TOPIC_CONFIGS);
        // (a topic of its own under load throughout, judged at the end like every other scenario)
        Workload bystanders = workload(bystander, "bystander-");
        Workload recreated;
        int node = 2;
        try {
            // Given a topic whose newest records are in committed WAL ranges (acks=all answered) of its leaders
            Workload old = workload(TOPIC, "old-");
            try {
                awaitProgress(old, 1_000, "on the old topic");
            } finally {
                old.close();
            }
            cluster.awaitPartitionsLedBy(TOPIC, node);

            // When one of its leaders is killed with SIGKILL and its disk lost, and before (or while) the controller
            // moves its partitions the topic is deleted and created again under the same name
            cluster.broker(node).kill();
            cluster.loseDisk(node);
            cluster.deleteTopic(TOPIC);
            await().atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .untilAsserted(() -> Topics.create(cluster.bootstrap(), TOPIC, PARTITIONS, TOPIC_CONFIGS));

            // Then the new topic takes writes on every partition once the dead broker's lease expired
            recreated = workload(TOPIC, "new-");
            try {
                awaitProgress(recreated, 1_000, "on the new topic");
                await().atMost(PROGRESS_TIMEOUT).ignoreExceptions().untilAsserted(() -> assertThat(
                        cluster.leaders(TOPIC)).as("leaders of the new topic").doesNotContain(node, -1));
                // And the broker comes back on an empty disk and takes part again
                cluster.start(node);
                cluster.awaitLeadersOn(TOPIC, cluster.nodes());
                awaitProgress(recreated, 1_000, "on the new topic after broker " + node + " rejoined");
                awaitProgress(bystanders, 1_000, "on the bystander topic after broker " + node + " rejoined");
            } finally {
                recreated.close();
            }
        } finally {
            bystanders.close();
        }
        // And the new topic holds only its own records: nothing of the old topic's WAL came back under its name
        FinalLog log = FinalRead.read(cluster.bootstrap(), TOPIC, PARTITIONS, Duration.ofSeconds(120));
        List<Observation> foreign = log.records().stream().filter(r -> !r.value().startsWith("new-")).toList();
        assertThat(foreign).as("records in the re-created topic that its producers did not send").isEmpty();
        judge("wal-topic-recreated-in-failover", "topic deleted and re-created while a killed leader's partitions"
                + " moved", 1, recreated, "new topic records " + log.records().size() + ", none of the old topic");
        FaultRun.judge("wal-topic-recreated-bystander", "another topic under load meanwhile", 1, cluster.bootstrap(),
                bystander, PARTITIONS, bystanders, 0, "");
        assertThat(bystanders.history().failedNotRetriable()).as("failed sends that are not retriable on the"
                + " bystander topic (all failed: %s)", bystanders.history().failures()).isZero();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aBrokerWhoseWallClockJumpsAnHourAndBackKeepsItsPartitionsAndLosesNothing() throws Exception {
        ClockShim.Result built = ClockShim.build(tempDir.resolve("clock-shim"));
        if (built.shim().isEmpty()) {
            Prerequisites.skipOrFail("the clock shim could not be built: " + built.message());
        }
        ClockShim clock = built.shim().orElseThrow();
        // Given broker 1 (the first started, so it usually holds the controller lease) on a wall clock of its own
        int node = 1;
        cluster = BrokerCluster.create(tempDir, "wal_clock_jump", BROKERS);
        cluster.setEnvironment(node, clock.environment());
        cluster.startWithTopic(TOPIC, PARTITIONS, TOPIC_CONFIGS);
        List<Integer> placement;
        Workload workload = workload(TOPIC, "");
        try {
            awaitProgress(workload, 1_000, "before the clock jump");
            placement = await().atMost(PROGRESS_TIMEOUT).ignoreExceptions().until(() -> cluster.leaders(TOPIC),
                    leaders -> cluster.nodes().stream().allMatch(n -> Collections.frequency(leaders, n)
                            == PARTITIONS / BROKERS));
            List<Integer> own = cluster.awaitPartitionsLedBy(TOPIC, node);

            for (long offset : new long[] {CLOCK_JUMP_MS, 0}) {
                // When its wall clock jumps an hour ahead (then back), for longer than a session timeout
                clock.jump(offset);
                TimeUnit.MILLISECONDS.sleep(CLOCK_JUMPED_FOR.toMillis());
                // Then its partitions still take acks=all writes on it (leases run on monotonic clocks)
                awaitAcknowledgedAfter(workload.history(), own, System.nanoTime());
                assertThat(cluster.leaders(TOPIC)).as("leaders after broker %d's clock jumped %+d ms", node, offset)
                        .isEqualTo(placement);
            }
        } finally {
            clock.jump(0);
            workload.close();
        }
        // And nobody judged a broker dead: no spurious failover
        List<String> deaths = cluster.nodes().stream().map(cluster::broker).flatMap(b -> b.log().lines())
                .filter(line -> line.contains(" is dead")).toList();
        assertThat(deaths).as("brokers judged dead while broker %d's clock jumped", node).isEmpty();
        boolean controller = cluster.broker(node).log().contains("Controller - Leader of");
        judge("wal-clock-jump", "wall clock of one broker of 3 (" + (controller ? "the controller" : "not the"
                + " controller") + ") +1 h, then back", 2, workload, "each jump held " + CLOCK_JUMPED_FOR.toSeconds()
                + " s; its partitions acknowledged throughout, leaders unchanged " + placement);
    }

    /**
     * Waits until each of {@code partitions} got an acknowledgement after {@code since} ({@link System#nanoTime()});
     * fails after {@link #PROGRESS_TIMEOUT}.
     */
    private static void awaitAcknowledgedAfter(History history, List<Integer> partitions, long since) {
        await().atMost(PROGRESS_TIMEOUT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> assertThat(partitions)
                .as("partitions with an acknowledgement since the fault (failed sends %s)", history.failures())
                .allSatisfy(p -> assertThat(history.lastAcknowledgedNanos(p)).isGreaterThan(since)));
    }

    private Workload workload(String topic, String names) {
        return new Workload(cluster.bootstrap(), topic, PARTITIONS, 2, 1,
                CheckedProducer.Settings.defaults().withRate(RECORDS_PER_SECOND), names).start();
    }

    /** Waits for {@code records} more acknowledgements; fails after {@link #PROGRESS_TIMEOUT}. */
    private static long awaitProgress(Workload workload, long records, String when) throws InterruptedException {
        long start = System.nanoTime();
        long before = workload.acknowledged();
        assertThat(workload.awaitAcknowledged(before + records, PROGRESS_TIMEOUT))
                .as("%d more acknowledgements %s (%d so far; failed sends %s)", records, when,
                        workload.acknowledged(), workload.history().failures()).isTrue();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /**
     * The checker's verdict on {@link #TOPIC}, recorded in the results table with {@code notes} and the longest
     * produce stall of each partition; then: no failed send but retriable ones.
     */
    private void judge(String name, String fault, long faults, Workload workload, String notes) {
        String stalls = "; longest produce stall per partition " + workload.history().longestAckGapsMillis().values()
                + " ms";
        FaultRun.judge(name, fault, faults, cluster.bootstrap(), TOPIC, PARTITIONS, workload, 0, notes + stalls);
        assertThat(workload.history().failedNotRetriable()).as("failed sends that are not retriable (all failed: %s)",
                workload.history().failures()).isZero();
    }
}
