package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A partition spread over dozens of tiny segments: reads from any offset and timestamp lookups across segments. */
class ManySegmentsTest extends BrokerTestBase {

    private static final String TOPIC = "segmented";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 3_000;
    private static final long BASE = System.currentTimeMillis() - 3_600_000;

    @BeforeEach
    void produceAcrossSegments() throws Exception {
        createTopic(TOPIC, 1, Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "4096",
                TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "512"));
        KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 1024));
        for (int i = 0; i < RECORDS; i++) {
            producer.send(new ProducerRecord<>(TOPIC, 0, timestamp(i), "k" + i, value(i)));
        }
        producer.flush();
        assertThat(producer.send(new ProducerRecord<>(TOPIC, 0, timestamp(RECORDS), "last", value(RECORDS)))
                .get(10, TimeUnit.SECONDS).offset()).isEqualTo(RECORDS);
    }

    @Test
    void theDataSpansDozensOfSegments() throws Exception {
        try (Stream<java.nio.file.Path> files = Files.list(dataDir.resolve(TOPIC + "-0"))) {
            assertThat(files.filter(f -> f.getFileName().toString().endsWith(".log")).count())
                    .isGreaterThanOrEqualTo(24);
        }
    }

    @Test
    void readsStartAtAnyOffset() {
        Random random = new Random(7);
        KafkaConsumer<String, String> consumer = consumer();
        consumer.assign(List.of(PARTITION));
        for (int attempt = 0; attempt < 25; attempt++) {
            int offset = attempt == 0 ? 0 : attempt == 1 ? RECORDS : random.nextInt(RECORDS + 1);
            consumer.seek(PARTITION, offset);
            List<ConsumerRecord<String, String>> records = poll(consumer, Math.min(50, RECORDS + 1 - offset));
            for (int i = 0; i < records.size(); i++) {
                ConsumerRecord<String, String> record = records.get(i);
                assertThat(record.offset()).isEqualTo(offset + i);
                assertThat(record.value()).isEqualTo(value(offset + i));
                assertThat(record.timestamp()).isEqualTo(timestamp(offset + i));
            }
        }
    }

    @Test
    void timestampLookupsWorkAcrossSegments() {
        KafkaConsumer<String, String> consumer = consumer();
        Random random = new Random(11);
        for (int attempt = 0; attempt < 25; attempt++) {
            int offset = random.nextInt(RECORDS + 1);
            assertThat(offsetForTime(consumer, PARTITION, timestamp(offset)))
                    .isEqualTo(new OffsetAndTimestamp(offset, timestamp(offset)));
            if (offset > 0) {
                assertThat(offsetForTime(consumer, PARTITION, timestamp(offset) - 1)).as("just before offset %d", offset)
                        .isEqualTo(new OffsetAndTimestamp(offset, timestamp(offset)));
            }
        }
        assertThat(offsetForTime(consumer, PARTITION, 0)).isEqualTo(new OffsetAndTimestamp(0, timestamp(0)));
        assertThat(offsetForTime(consumer, PARTITION, timestamp(RECORDS) + 1)).isNull();
    }

    /** Ten milliseconds apart, so every lookup between two records has exactly one answer. */
    private static long timestamp(int offset) {
        return BASE + 10L * offset;
    }

    private static String value(int offset) {
        return "value-" + offset + "-" + "y".repeat(40);
    }
}
