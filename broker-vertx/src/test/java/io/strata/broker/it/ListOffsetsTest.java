package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ListOffsets through the consumer and Admin: earliest, latest, by CreateTime timestamp and max timestamp,
 * over records (one batch each) whose timestamps the test chooses: offset i has {@code BASE + OFFSETS_MS[i]}.
 */
class ListOffsetsTest extends BrokerTestBase {

    private static final String TOPIC = "times";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final long BASE = System.currentTimeMillis() - 600_000;
    /** Rising, except offset 5, which carries the largest timestamp. */
    private static final long[] OFFSETS_MS = {0, 100, 200, 300, 400, 5_000, 500, 600, 700, 800};

    @BeforeEach
    void produceTimedRecords() throws Exception {
        createTopic(TOPIC, 1, Map.of());
        KafkaProducer<String, String> producer = producer();
        for (int i = 0; i < OFFSETS_MS.length; i++) {
            producer.send(new ProducerRecord<>(TOPIC, 0, BASE + OFFSETS_MS[i], "k", "v" + i)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void earliestAndLatest() {
        KafkaConsumer<String, String> consumer = consumer();

        assertThat(consumer.beginningOffsets(List.of(PARTITION))).containsEntry(PARTITION, 0L);
        assertThat(consumer.endOffsets(List.of(PARTITION))).containsEntry(PARTITION, (long) OFFSETS_MS.length);
    }

    @Test
    void byTimestampFindsTheFirstRecordAtOrAfterIt() {
        KafkaConsumer<String, String> consumer = consumer();

        assertThat(offsetForTime(consumer, PARTITION, BASE - 1_000)).isEqualTo(found(0, BASE));
        assertThat(offsetForTime(consumer, PARTITION, BASE)).isEqualTo(found(0, BASE));
        assertThat(offsetForTime(consumer, PARTITION, BASE + 100)).isEqualTo(found(1, BASE + 100));
        assertThat(offsetForTime(consumer, PARTITION, BASE + 250)).as("between offsets 2 and 3")
                .isEqualTo(found(3, BASE + 300));
        assertThat(offsetForTime(consumer, PARTITION, BASE + 450)).as("first at or after, in offset order")
                .isEqualTo(found(5, BASE + 5_000));
        assertThat(offsetForTime(consumer, PARTITION, BASE + 5_000)).isEqualTo(found(5, BASE + 5_000));
    }

    @Test
    void byTimestampAfterTheLastRecordIsNull() {
        KafkaConsumer<String, String> consumer = consumer();

        assertThat(offsetForTime(consumer, PARTITION, BASE + 5_001)).isNull();
    }

    @Test
    void adminListsEarliestLatestTimestampAndMaxTimestamp() throws Exception {
        Admin admin = admin();

        assertThat(list(admin, OffsetSpec.earliest()).offset()).isZero();
        assertThat(list(admin, OffsetSpec.latest()).offset()).isEqualTo(OFFSETS_MS.length);
        assertThat(list(admin, OffsetSpec.forTimestamp(BASE + 250)).offset()).isEqualTo(3);
        ListOffsetsResultInfo max = list(admin, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(5);
        assertThat(max.timestamp()).isEqualTo(BASE + 5_000);
    }

    @Test
    void anEmptyPartitionAnswersZeroAndNoTimestampMatch() throws Exception {
        createTopic("empty", 1, Map.of());
        TopicPartition empty = new TopicPartition("empty", 0);
        KafkaConsumer<String, String> consumer = consumer();

        assertThat(consumer.beginningOffsets(List.of(empty))).containsEntry(empty, 0L);
        assertThat(consumer.endOffsets(List.of(empty))).containsEntry(empty, 0L);
        assertThat(consumer.offsetsForTimes(Map.of(empty, BASE)).get(empty)).isNull();
    }

    private static OffsetAndTimestamp found(long offset, long timestamp) {
        return new OffsetAndTimestamp(offset, timestamp);
    }

    private static ListOffsetsResultInfo list(Admin admin, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(PARTITION, spec)).partitionResult(PARTITION).get(30, TimeUnit.SECONDS);
    }
}
