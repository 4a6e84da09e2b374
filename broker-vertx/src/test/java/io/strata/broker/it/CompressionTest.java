package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every compression type the Java producer offers, stored as sent and read back, also from mid-batch offsets. */
class CompressionTest extends BrokerTestBase {

    private static final int RECORDS = 500;

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void recordsComeBackFromTheStartAndFromTheMiddleOfABatch(CompressionType compression) throws Exception {
        // Given one batch of 500 records compressed with the given codec
        String topic = "compressed-" + compression.name;
        TopicPartition partition = new TopicPartition(topic, 0);
        createTopic(topic, 1, Map.of());
        KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.name,
                ProducerConfig.LINGER_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024));
        producer.partitionsFor(topic);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, "value " + i + " " + "x".repeat(i % 50))));
        }
        producer.flush();
        for (int i = 0; i < RECORDS; i++) {
            assertThat(sent.get(i).get(10, TimeUnit.SECONDS).offset()).isEqualTo(i);
        }
        MemoryRecords stored = broker.logs().log(partition).orElseThrow()
                .read(0, Integer.MAX_VALUE, true).memoryRecords();
        List<? extends RecordBatch> batches = toList(stored.batches());
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).compressionType()).isEqualTo(compression);
        assertThat(batches.get(0).lastOffset()).isEqualTo(RECORDS - 1);

        // When read from the start, then from an offset inside the batch
        List<ConsumerRecord<String, String>> all = readFrom(consumer(), partition, 0, RECORDS);
        List<ConsumerRecord<String, String>> fromMiddle = readFrom(consumer(), partition, 321, RECORDS - 321);

        // Then both return exactly the records from that offset on
        assertRecords(all, 0);
        assertRecords(fromMiddle, 321);
    }

    private static void assertRecords(List<ConsumerRecord<String, String>> records, int from) {
        assertThat(records).hasSize(RECORDS - from);
        for (int i = 0; i < records.size(); i++) {
            int index = from + i;
            ConsumerRecord<String, String> record = records.get(i);
            assertThat(record.offset()).isEqualTo(index);
            assertThat(record.key()).isEqualTo("k" + index);
            assertThat(record.value()).isEqualTo("value " + index + " " + "x".repeat(index % 50));
        }
    }

    private static <T> List<T> toList(Iterable<T> iterable) {
        List<T> list = new ArrayList<>();
        iterable.forEach(list::add);
        return list;
    }
}
