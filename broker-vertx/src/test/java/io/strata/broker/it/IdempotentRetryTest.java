package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The idempotent producer retries the batches that were in flight when its connection dropped; the broker
 * must neither store a retried batch twice nor lose one.
 */
class IdempotentRetryTest extends BrokerTestBase {

    private static final String TOPIC = "retried";
    private static final int RECORDS = 50_000;
    private static final int DISCONNECTS = 4;

    @Test
    void dropsMidStreamCauseNoDuplicatesAndNoGaps() throws Exception {
        // Given an idempotent producer with five small batches in flight at a time
        createTopic(TOPIC, 1, Map.of());
        KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.BATCH_SIZE_CONFIG, 1024,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 20,
                ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 20,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000));
        producer.partitionsFor(TOPIC);

        // When the broker drops every client connection several times while the records stream in
        AtomicInteger acked = new AtomicInteger();
        Queue<Exception> failures = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < RECORDS; i++) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, Integer.toString(i)), (metadata, e) -> {
                if (e != null) {
                    failures.add(e);
                } else {
                    acked.incrementAndGet();
                }
            });
        }
        int ackedBeforeDrop = 0;
        for (int drop = 1; drop <= DISCONNECTS; drop++) {
            // each drop waits for an acknowledgement that came over the connection re-opened after the last one
            int threshold = Math.max(drop * RECORDS / (DISCONNECTS + 2), ackedBeforeDrop + 1);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                    .until(() -> acked.get() >= threshold || !failures.isEmpty());
            broker.closeClientConnections();
            ackedBeforeDrop = acked.get();
        }
        producer.flush();

        // Then the producer saw the drops and retried, every send succeeded,
        // and the log holds each record exactly once, in order
        assertThat(failures).isEmpty();
        assertThat(acked.get()).isEqualTo(RECORDS);
        assertThat(metric(producer, "connection-close-total")).isGreaterThanOrEqualTo(DISCONNECTS);
        assertThat(metric(producer, "record-retry-total")).as("records retried after the drops").isPositive();
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        List<ConsumerRecord<String, String>> records = readFrom(consumer(), partition, 0, RECORDS);
        assertThat(records).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            assertThat(records.get(i).offset()).isEqualTo(i);
            assertThat(records.get(i).value()).isEqualTo(Integer.toString(i));
        }
        assertThat(consumer().endOffsets(List.of(partition))).containsEntry(partition, (long) RECORDS);
    }

    private static double metric(KafkaProducer<?, ?> producer, String name) {
        for (Map.Entry<MetricName, ? extends Metric> entry : producer.metrics().entrySet()) {
            if (entry.getKey().name().equals(name) && entry.getKey().group().equals("producer-metrics")) {
                return ((Number) entry.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no producer metric " + name);
    }
}
