package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.it.RawRequests.FetchTarget;
import io.strata.broker.network.RawKafkaClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;

/** Fetch waiting (max wait, min bytes) and byte limits (partition max bytes, max bytes, KIP-74). */
class LongPollTest extends BrokerTestBase {

    private static final String TOPIC = "polled";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int BIG_VALUE = 10_000;

    @Test
    void aFetchWaitingAtTheEndIsWokenByAProduce() throws Exception {
        // Given a consumer whose fetch is parked at the log end for up to 20 s
        KafkaProducer<String, String> producer = producerForNewTopic();
        KafkaConsumer<String, String> consumer = parkedConsumer(Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20_000));

        // When a record is produced
        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(TOPIC, 0, "k", "wake up")).get(10, TimeUnit.SECONDS);

        // Then the consumer has it long before the 20 s wait is over
        List<ConsumerRecord<String, String>> records = poll(consumer, 1);
        assertThat(records).extracting(ConsumerRecord::value).containsExactly("wake up");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aFetchWaitsForMinBytes() throws Exception {
        // Given a consumer that wants at least 10,000 bytes and waits up to 20 s for them
        KafkaProducer<String, String> producer = producerForNewTopic();
        KafkaConsumer<String, String> consumer = parkedConsumer(Map.of(
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 10_000, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20_000));

        // When a small record is produced, then nothing is returned yet
        producer.send(new ProducerRecord<>(TOPIC, 0, "k", "small")).get(10, TimeUnit.SECONDS);
        assertThat(pollFor(consumer, Duration.ofMillis(1_500))).isEmpty();

        // When enough bytes follow, then at least 10,000 bytes (the small record and nine or more others)
        // arrive well before the wait is over
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "x".repeat(1_000)));
        }
        producer.flush();
        assertThat(poll(consumer, 10).get(0).value()).isEqualTo("small");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aFetchShortOfMinBytesReturnsWhenMaxWaitPasses() throws Exception {
        KafkaProducer<String, String> producer = producerForNewTopic();
        KafkaConsumer<String, String> consumer = parkedConsumer(Map.of(
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1_000_000, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500));

        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(TOPIC, 0, "k", "lonely")).get(10, TimeUnit.SECONDS);

        assertThat(poll(consumer, 1)).extracting(ConsumerRecord::value).containsExactly("lonely");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aFetchForNoPartitionsIsAnsweredAtOnce() throws Exception {
        // A consumer closing its fetch session sends such a fetch, with its usual max wait
        long start = System.nanoTime();
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            FetchResponse response = client.call(RawRequests.fetch(1 << 20, 1, 20_000, List.of()), 1);

            assertThat(response.data().errorCode()).isZero();
            assertThat(RawRequests.partitions(response)).isEmpty();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void partitionMaxBytesBoundsAPartitionsData() throws Exception {
        bigBatchesInTwoPartitions();

        PartitionData first = fetch(1 << 20, new FetchTarget(TOPIC, 0, 0, 25_000)).get(0);

        assertThat(first.records().sizeInBytes()).isLessThanOrEqualTo(25_000);
        assertThat(wholeBatches(first)).hasSize(2);
    }

    @Test
    void maxBytesBoundsTheResponseAcrossPartitions() throws Exception {
        bigBatchesInTwoPartitions();

        List<PartitionData> partitions = fetch(25_000,
                new FetchTarget(TOPIC, 0, 0, 1 << 20), new FetchTarget(TOPIC, 1, 0, 1 << 20));

        int total = partitions.stream().mapToInt(p -> p.records().sizeInBytes()).sum();
        assertThat(total).isLessThanOrEqualTo(25_000);
        assertThat(wholeBatches(partitions.get(0))).hasSize(2);
    }

    @Test
    void theFirstBatchIsReturnedWholeEvenAboveTheLimitsButLaterPartitionsGetNothing() throws Exception {
        bigBatchesInTwoPartitions();

        List<PartitionData> partitions = fetch(1_000,
                new FetchTarget(TOPIC, 0, 0, 1_000), new FetchTarget(TOPIC, 1, 0, 1_000));

        assertThat(wholeBatches(partitions.get(0))).hasSize(1);
        assertThat(partitions.get(0).records().sizeInBytes()).isGreaterThan(BIG_VALUE);
        assertThat(partitions.get(1).records().sizeInBytes()).isZero();
    }

    @Test
    void theFirstPartitionWithDataGetsItsWholeFirstBatch() throws Exception {
        bigBatchesInTwoPartitions();

        // Partition 0 is read at its end, so partition 1 is the first with data
        List<PartitionData> partitions = fetch(1_000,
                new FetchTarget(TOPIC, 0, 5, 1_000), new FetchTarget(TOPIC, 1, 0, 1_000));

        assertThat(partitions.get(0).records().sizeInBytes()).isZero();
        assertThat(wholeBatches(partitions.get(1))).hasSize(1);
    }

    @Test
    void aConsumerWithSmallFetchLimitsStillReadsLargerRecords() throws Exception {
        bigBatchesInTwoPartitions();
        KafkaConsumer<String, String> consumer = consumer(Map.of(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1_024, ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1_024));

        List<ConsumerRecord<String, String>> records = readFrom(consumer, PARTITION, 0, 5);

        assertThat(records).hasSize(5).allSatisfy(record -> assertThat(record.value()).hasSize(BIG_VALUE));
    }

    /** Creates the one-partition topic and returns a producer that already has its metadata. */
    private KafkaProducer<String, String> producerForNewTopic() throws Exception {
        createTopic(TOPIC, 1, Map.of());
        KafkaProducer<String, String> producer = producer();
        producer.partitionsFor(TOPIC);
        return producer;
    }

    /** A consumer assigned at the (empty) log end whose first fetch has been sent and is parked at the broker. */
    private KafkaConsumer<String, String> parkedConsumer(Map<String, Object> overrides) {
        KafkaConsumer<String, String> consumer = consumer(overrides);
        consumer.assign(List.of(PARTITION));
        consumer.seekToEnd(List.of(PARTITION));
        assertThat(consumer.position(PARTITION)).isZero();
        assertThat(pollFor(consumer, Duration.ofMillis(300))).isEmpty();
        return consumer;
    }

    /** Five single-record batches of about 10 KB in each of two partitions. */
    private void bigBatchesInTwoPartitions() throws Exception {
        createTopic(TOPIC, 2, Map.of());
        KafkaProducer<String, String> producer = producer();
        for (int i = 0; i < 5; i++) {
            for (int p = 0; p < 2; p++) {
                producer.send(new ProducerRecord<>(TOPIC, p, "k", "b".repeat(BIG_VALUE))).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private List<PartitionData> fetch(int maxBytes, FetchTarget... targets) throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            return RawRequests.partitions(client.call(RawRequests.fetch(maxBytes, 1, 0, List.of(targets)), 1));
        }
    }

    private static List<RecordBatch> wholeBatches(PartitionData partition) {
        List<RecordBatch> batches = new ArrayList<>();
        ((MemoryRecords) partition.records()).batches().forEach(batches::add);
        return batches;
    }

    private static List<ConsumerRecord<String, String>> pollFor(KafkaConsumer<String, String> consumer, Duration duration) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
        return records;
    }
}
