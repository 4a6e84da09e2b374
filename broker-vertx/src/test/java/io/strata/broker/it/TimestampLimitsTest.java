package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.junit.jupiter.api.Test;

/**
 * CreateTime limits with Kafka 4.x defaults: {@code message.timestamp.after.max.ms} is one hour,
 * {@code message.timestamp.before.max.ms} unlimited.
 */
class TimestampLimitsTest extends BrokerTestBase {

    private static final long HOUR = 3_600_000;

    @Test
    void aTimestampMoreThanAnHourAheadIsRefusedByDefault() throws Exception {
        createTopic("clocks", 1, Map.of());
        KafkaProducer<String, String> producer = producer();

        assertThatThrownBy(() -> send(producer, "clocks", System.currentTimeMillis() + 2 * HOUR))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidTimestampException.class);
        assertThat(send(producer, "clocks", System.currentTimeMillis() + HOUR / 2)).isZero();
    }

    @Test
    void oldTimestampsAreAcceptedByDefault() throws Exception {
        createTopic("history", 1, Map.of());

        assertThat(send(producer(), "history", 1_000_000_000_000L)).isZero();
    }

    @Test
    void theTopicConfigWidensTheLimit() throws Exception {
        createTopic("future", 1, Map.of(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Long.toString(24 * HOUR)));

        assertThat(send(producer(), "future", System.currentTimeMillis() + 2 * HOUR)).isZero();
    }

    private static long send(KafkaProducer<String, String> producer, String topic, long timestamp) throws Exception {
        return producer.send(new ProducerRecord<>(topic, 0, timestamp, "k", "v")).get(10, TimeUnit.SECONDS).offset();
    }
}
