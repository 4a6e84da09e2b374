package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.broker.StrataBroker;
import io.strata.broker.tiered.Workload.Sent;
import io.strata.tiering.remote.RemoteLayout;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The write-ahead log in single-broker mode ({@code wal.enable=true}, CLUSTER.md rule 5): the bucket's gap-free chain
 * of WAL objects is the commit record, so a broker whose disk is lost comes back with everything it acknowledged,
 * not only what was sealed and uploaded.
 */
class SingleBrokerWalTest extends S3ServerTestBase {

    /** Segments far larger than what the tests write: nothing is uploaded unless a test makes it so. */
    private static final Map<String, String> UNSEALED = Map.of("segment.bytes", "104857600");

    private boolean walOn = true;

    @Override
    Map<String, String> bucketProperties() {
        Map<String, String> properties = new HashMap<>(super.bucketProperties());
        properties.put("wal.enable", Boolean.toString(walOn));
        return properties;
    }

    @Test
    void aBrokerWhoseDiskIsLostComesBackWithEverythingItAcknowledged() throws Exception {
        // Given records acknowledged with acks=all on three partitions, none of them in an uploaded segment
        createTopic("orders", 3, UNSEALED);
        Map<TopicPartition, Workload> workloads = produce("orders", 3, 400);
        assertThat(bucket.list(RemoteLayout.WAL)).as("WAL objects").isNotEmpty();
        assertThat(bucket.listAll().keySet()).noneMatch(key -> key.endsWith(".log"));

        // When the broker stops and its data directory is deleted
        stopBroker();
        deleteRecursively(dataDir);
        broker = StrataBroker.start(brokerConfig(dataDir));

        // Then every acknowledged record is back at its offset, and produce goes on after them
        assertEveryRecordServed(workloads);
        produceMore(workloads);
        assertEveryRecordServed(workloads);
    }

    @Test
    void recordsOnAKeptDiskThatNoWalObjectHoldsAreUploadedBeforeTheWalTakesOver() throws Exception {
        // Given a broker without the WAL whose records are on its disk only (as after an upgrade)
        stopBroker();
        walOn = false;
        broker = StrataBroker.start(brokerConfig(dataDir));
        createTopic("events", 2, UNSEALED);
        Map<TopicPartition, Workload> workloads = produce("events", 2, 300);
        assertThat(bucket.listAll().keySet()).noneMatch(key -> key.endsWith(".log"));

        // When it restarts with the WAL on, they are uploaded first; then the disk is lost
        stopBroker();
        walOn = true;
        broker = StrataBroker.start(brokerConfig(dataDir));
        assertThat(bucket.listAll().keySet()).filteredOn(key -> key.endsWith(".log")).hasSize(2);
        produceMore(workloads);
        stopBroker();
        deleteRecursively(dataDir);
        broker = StrataBroker.start(brokerConfig(dataDir));

        // Then both what was on the disk and what the WAL committed since are served
        assertEveryRecordServed(workloads);
    }

    @Test
    void walObjectsCoveredByUploadedSegmentsAreDeletedFromTheLowEndWithoutGaps() throws Exception {
        // Given a topic whose small segments are uploaded as soon as they roll
        createTopic("clicks", 1, TIERED);
        Map<TopicPartition, Workload> workloads = produce("clicks", 1, 1500);
        TopicPartition tp = new TopicPartition("clicks", 0);
        awaitEverySealedSegmentCopied(tp);

        // Then the oldest WAL objects are collected, and what remains is one run of sequences
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(walSequences().first()).as("lowest WAL sequence in the bucket").isGreaterThan(0));
        TreeSet<Long> sequences = walSequences();
        assertThat(sequences.last() - sequences.first() + 1).as("a run without gaps: %s", sequences)
                .isEqualTo(sequences.size());

        // And a broker on an empty disk still serves every record
        stopBroker();
        deleteRecursively(dataDir);
        broker = StrataBroker.start(brokerConfig(dataDir));
        assertEveryRecordServed(workloads);
    }

    private TreeSet<Long> walSequences() {
        TreeSet<Long> sequences = new TreeSet<>();
        bucket.list(RemoteLayout.WAL).keySet().forEach(key -> sequences.add(RemoteLayout.walKeyOf(key)
                .orElseThrow(() -> new AssertionError("not a WAL key: " + key)).sequence()));
        return sequences;
    }

    private Map<TopicPartition, Workload> produce(String topic, int partitions, int perPartition) throws Exception {
        Map<TopicPartition, Workload> workloads = new LinkedHashMap<>();
        KafkaProducer<byte[], byte[]> producer = producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            Workload workload = new Workload(tp, tp.hashCode());
            workload.send(producer, perPartition, System.currentTimeMillis(), 1);
            workloads.put(tp, workload);
        }
        return workloads;
    }

    private void produceMore(Map<TopicPartition, Workload> workloads) throws Exception {
        KafkaProducer<byte[], byte[]> producer = producer(Map.of());
        for (Workload workload : workloads.values()) {
            List<Sent> before = workload.sent();
            long expected = before.get(before.size() - 1).offset() + 1;
            List<Sent> more = workload.send(producer, 50, System.currentTimeMillis(), 1);
            assertThat(more.get(0).offset()).as("first offset after the restart").isEqualTo(expected);
        }
    }

    private void assertEveryRecordServed(Map<TopicPartition, Workload> workloads) {
        for (Map.Entry<TopicPartition, Workload> entry : workloads.entrySet()) {
            List<Sent> sent = entry.getValue().sent();
            KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
            consumer.assign(List.of(entry.getKey()));
            consumer.seekToBeginning(List.of(entry.getKey()));
            Workload.assertSame(poll(consumer, sent.size()), sent);
        }
    }
}
