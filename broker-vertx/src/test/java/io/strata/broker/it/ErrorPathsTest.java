package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.broker.it.RawRequests.FetchTarget;
import io.strata.broker.network.RawKafkaClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Errors clients must get as Kafka error codes: offsets out of range, unknown partitions, deleted topics. */
class ErrorPathsTest extends BrokerTestBase {

    private static final String TOPIC = "ten";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @BeforeEach
    void tenRecords() throws Exception {
        createTopic(TOPIC, 1, Map.of());
        KafkaProducer<String, String> producer = producer();
        for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + i));
        }
        producer.flush();
    }

    @Test
    void fetchingBeyondTheEndIsOffsetOutOfRange() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            PartitionData partition = RawRequests.partitions(client.<FetchResponse>call(
                    RawRequests.fetch(1 << 20, 1, 0, List.of(new FetchTarget(TOPIC, 0, 11, 1 << 20))), 1)).get(0);

            assertThat(partition.errorCode()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
        }
    }

    @Test
    void aConsumerWithoutResetPolicyGetsOffsetOutOfRange() {
        KafkaConsumer<String, String> consumer = consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"));
        consumer.assign(List.of(PARTITION));
        consumer.seek(PARTITION, 100);

        assertThatThrownBy(() -> pollFor(consumer, Duration.ofSeconds(20)))
                .isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void aConsumerResettingToEarliestRereadsFromTheStart() {
        KafkaConsumer<String, String> consumer = consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));

        assertThat(readFrom(consumer, PARTITION, 100, 10)).extracting(r -> r.offset())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void anUnknownPartitionIsRefusedForFetchAndProduce() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            PartitionData fetched = RawRequests.partitions(client.<FetchResponse>call(
                    RawRequests.fetch(1 << 20, 1, 0, List.of(new FetchTarget(TOPIC, 7, 0, 1 << 20))), 1)).get(0);
            ProduceResponse produced = client.call(RawRequests.produce(TOPIC, 7, oneRecord()), 2);

            assertThat(fetched.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(RawRequests.result(produced).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
    }

    @Test
    void producingToADeletedTopicFailsAndDoesNotRecreateIt() throws Exception {
        // Given a producer that has written to a topic, on a broker that does not auto-create topics
        restartBroker(Map.of("auto.create.topics.enable", "false"));
        KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000,
                ProducerConfig.LINGER_MS_CONFIG, 0));
        producer.send(new ProducerRecord<>(TOPIC, 0, "k", "before")).get(10, TimeUnit.SECONDS);

        // When the topic is deleted
        admin().deleteTopics(List.of(TOPIC)).all().get(30, TimeUnit.SECONDS);

        // Then a raw produce gets UNKNOWN_TOPIC_OR_PARTITION and the Java producer's send fails
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            ProduceResponse produced = client.call(RawRequests.produce(TOPIC, 0, oneRecord()), 1);
            assertThat(RawRequests.result(produced).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, 0, "k", "after")).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfAny(TimeoutException.class, UnknownTopicOrPartitionException.class);
        // And the topic stays deleted
        assertThat(admin().listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(TOPIC);
    }

    private static MemoryRecords oneRecord() {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("x".getBytes(StandardCharsets.UTF_8)));
    }

    private static void pollFor(KafkaConsumer<String, String> consumer, Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200));
        }
    }
}
