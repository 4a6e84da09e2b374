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
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** A topic with {@code message.timestamp.type=LogAppendTime}: the broker's clock, not the producer's, stamps records. */
class LogAppendTimeTest extends BrokerTestBase {

    private static final String TOPIC = "append-time";
    private static final long ANCIENT = 1_000_000_000_000L; // 2001-09-09

    @Test
    void recordsCarryTheBrokersAppendTime() throws Exception {
        // Given a LogAppendTime topic and a producer batching compressed records with an old CreateTime
        createTopic(TOPIC, 1, Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
        KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4", ProducerConfig.LINGER_MS_CONFIG, 50));
        producer.partitionsFor(TOPIC);

        // When they are produced
        long before = System.currentTimeMillis();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(producer.send(new ProducerRecord<>(TOPIC, 0, ANCIENT + i, "k" + i, "v" + i)));
        }
        producer.flush();
        List<RecordMetadata> acks = new ArrayList<>();
        for (Future<RecordMetadata> future : sent) {
            acks.add(future.get(10, TimeUnit.SECONDS));
        }
        long after = System.currentTimeMillis();

        // Then the acknowledgements and the stored records carry the broker's time, typed LOG_APPEND_TIME
        assertThat(acks).allSatisfy(ack -> assertThat(ack.timestamp()).isBetween(before, after));
        List<ConsumerRecord<String, String>> records = readFrom(consumer(), new TopicPartition(TOPIC, 0), 0, 20);
        assertThat(records).hasSize(20).allSatisfy(record -> {
            assertThat(record.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(record.timestamp()).isBetween(before, after);
        });
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).timestamp()).isEqualTo(acks.get(i).timestamp());
        }
    }

    @Test
    void createTimeTopicsKeepTheProducersTimestamp() throws Exception {
        // Given a CreateTime topic (the default), when a record with a chosen timestamp is produced
        createTopic("create-time", 1, Map.of());
        producer().send(new ProducerRecord<>("create-time", 0, ANCIENT, "k", "v")).get(10, TimeUnit.SECONDS);

        // Then it keeps that timestamp, typed CREATE_TIME
        ConsumerRecord<String, String> record = readFrom(consumer(), new TopicPartition("create-time", 0), 0, 1).get(0);
        assertThat(record.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(record.timestamp()).isEqualTo(ANCIENT);
    }
}
