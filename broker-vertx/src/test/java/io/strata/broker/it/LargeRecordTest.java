package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/** Records close to the default size limit pass; records over {@code max.message.bytes} get MESSAGE_TOO_LARGE. */
class LargeRecordTest extends BrokerTestBase {

    @Test
    void aRecordOf900KibRoundTrips() throws Exception {
        // Given a topic with the default max.message.bytes (1 MiB + 12)
        createTopic("large", 1, Map.of());
        String value = pattern(900 * 1024);

        // When a 900 KiB record is produced
        long offset = producer().send(new ProducerRecord<>("large", "big", value)).get(30, TimeUnit.SECONDS).offset();

        // Then it reads back whole
        List<ConsumerRecord<String, String>> records = readFrom(consumer(), new TopicPartition("large", 0), offset, 1);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).isEqualTo("big");
        assertThat(records.get(0).value()).isEqualTo(value);
    }

    @Test
    void aRecordOverTheTopicsMaxMessageBytesIsRefused() throws Exception {
        // Given a topic limited to 100,000-byte batches and a producer that would send 2 MiB requests
        createTopic("limited", 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "100000"));
        KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024));

        // When a 150,000-byte record is produced, then the broker refuses it with MESSAGE_TOO_LARGE
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("limited", "k", pattern(150_000)))
                .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RecordTooLargeException.class);

        // And the partition stays usable and holds only what was accepted
        long offset = producer.send(new ProducerRecord<>("limited", "k", pattern(90_000))).get(30, TimeUnit.SECONDS).offset();
        assertThat(offset).isZero();
    }

    @Test
    void aRecordOverTheBrokersMessageMaxBytesIsRefused() throws Exception {
        // Given a topic with the broker default max.message.bytes (1048588)
        createTopic("default-limit", 1, Map.of());
        KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024));

        // When a 1.5 MiB record is produced, then it is refused
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("default-limit", "k", pattern(1536 * 1024)))
                .get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RecordTooLargeException.class);
    }

    /** {@code size} ASCII characters (so as many bytes) that do not compress to nothing. */
    private static String pattern(int size) {
        StringBuilder builder = new StringBuilder(size);
        long state = 42;
        while (builder.length() < size) {
            state = state * 6364136223846793005L + 1442695040888963407L;
            builder.append((char) ('a' + (int) ((state >>> 33) % 26)));
        }
        return builder.toString();
    }
}
