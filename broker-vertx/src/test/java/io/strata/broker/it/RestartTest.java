package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.broker.network.RawKafkaClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;

/** A clean stop and a new broker on the same data directory: data, topic configs and producer state survive. */
class RestartTest extends BrokerTestBase {

    @Test
    void recordsAndTopicsSurviveARestart() throws Exception {
        // Given two partitions holding 1,000 records each
        createTopic("durable", 2, Map.of());
        KafkaProducer<String, String> producer = producer();
        for (int i = 0; i < 2_000; i++) {
            producer.send(new ProducerRecord<>("durable", i % 2, "k" + i, "v" + i));
        }
        producer.flush();

        // When the broker restarts on the same data directory
        restartBroker(Map.of());

        // Then the topic and every record are still there, and appends continue at the old end
        TopicDescription description = admin().describeTopics(List.of("durable")).allTopicNames()
                .get(30, TimeUnit.SECONDS).get("durable");
        assertThat(description.partitions()).hasSize(2);
        KafkaConsumer<String, String> consumer = consumer();
        for (int p = 0; p < 2; p++) {
            List<ConsumerRecord<String, String>> records = readFrom(consumer, new TopicPartition("durable", p), 0, 1_000);
            assertThat(records).hasSize(1_000);
            for (int n = 0; n < 1_000; n++) {
                assertThat(records.get(n).offset()).isEqualTo(n);
                assertThat(records.get(n).value()).isEqualTo("v" + (2 * n + p));
            }
        }
        assertThat(producer().send(new ProducerRecord<>("durable", 1, "k", "after")).get(10, TimeUnit.SECONDS).offset())
                .isEqualTo(1_000);
    }

    @Test
    void topicConfigsSurviveARestart() throws Exception {
        // Given a LogAppendTime topic limited to 20,000-byte batches
        createTopic("configured", 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "20000",
                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));

        // When the broker restarts
        restartBroker(Map.of());

        // Then both settings still apply
        KafkaProducer<String, String> producer = producer();
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("configured", 0, "k", "x".repeat(30_000)))
                .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RecordTooLargeException.class);
        long before = System.currentTimeMillis();
        producer.send(new ProducerRecord<>("configured", 0, 1_000L, "k", "small")).get(10, TimeUnit.SECONDS);
        ConsumerRecord<String, String> record = readFrom(consumer(), new TopicPartition("configured", 0), 0, 1).get(0);
        assertThat(record.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(record.timestamp()).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void idempotentProducerStateSurvivesARestart() throws Exception {
        // Given a producer id that wrote two batches (sequences 0-4 and 5-9)
        createTopic("sequenced", 1, Map.of());
        long producerId;
        short epoch;
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            InitProducerIdResponseData init = client.<InitProducerIdResponse>call(RawRequests.initProducerId(), 1).data();
            assertThat(init.errorCode()).isEqualTo(Errors.NONE.code());
            producerId = init.producerId();
            epoch = init.producerEpoch();
            assertThat(produce(client, 2, batch(producerId, epoch, 0)).baseOffset()).isZero();
            assertThat(produce(client, 3, batch(producerId, epoch, 5)).baseOffset()).isEqualTo(5);
        }

        // When the broker restarts
        restartBroker(Map.of());

        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            // Then a retry of the pre-restart batch is answered with its original offset and not stored again
            PartitionProduceResponse duplicate = produce(client, 1, batch(producerId, epoch, 5));
            assertThat(duplicate.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(duplicate.baseOffset()).isEqualTo(5);
            // And the next sequence continues the log; a gap is refused
            assertThat(produce(client, 2, batch(producerId, epoch, 10)).baseOffset()).isEqualTo(10);
            assertThat(produce(client, 3, batch(producerId, epoch, 20)).errorCode())
                    .isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code());
        }
        TopicPartition partition = new TopicPartition("sequenced", 0);
        KafkaConsumer<String, String> consumer = consumer();
        assertThat(consumer.endOffsets(List.of(partition))).containsEntry(partition, 15L);
        assertThat(readFrom(consumer, partition, 0, 15)).extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(IntStream.range(0, 15)
                        .mapToObj(i -> "seq-" + i).toList());
    }

    private static PartitionProduceResponse produce(RawKafkaClient client, int correlationId, MemoryRecords records)
            throws Exception {
        return RawRequests.result(client.<ProduceResponse>call(RawRequests.produce("sequenced", 0, records), correlationId));
    }

    /** Five records with sequences {@code firstSequence..firstSequence+4}, valued {@code seq-N}. */
    private static MemoryRecords batch(long producerId, short epoch, int firstSequence) {
        SimpleRecord[] records = IntStream.range(firstSequence, firstSequence + 5)
                .mapToObj(i -> new SimpleRecord(System.currentTimeMillis(), null,
                        ("seq-" + i).getBytes(StandardCharsets.UTF_8)))
                .toArray(SimpleRecord[]::new);
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, firstSequence, records);
    }
}
