package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Admin.deleteRecords (kafka-delete-records) moves the log start offset; reads below it fail. */
class DeleteRecordsTest extends BrokerTestBase {

    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private void produce(int count) throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(TP.topic(), "k" + i, "v" + i)).get();
            }
        }
    }

    private static long lowWatermark(Admin admin, long offset) throws Exception {
        return admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(offset))).lowWatermarks().get(TP).get()
                .lowWatermark();
    }

    @Test
    void deletingRecordsMovesTheLogStartAndConsumersStartThere() throws Exception {
        createTopic(TP.topic(), 1, Map.of("segment.bytes", "1024"));
        produce(100);
        Admin admin = admin();

        assertThat(lowWatermark(admin, 40)).isEqualTo(40);
        assertThat(lowWatermark(admin, 10)).as("never moves back").isEqualTo(40);

        assertThat(admin.listOffsets(Map.of(TP, OffsetSpec.earliest())).partitionResult(TP).get().offset())
                .isEqualTo(40);
        KafkaConsumer<String, String> consumer = consumer(Map.of("auto.offset.reset", "earliest"));
        consumer.assign(List.of(TP));
        consumer.seekToBeginning(List.of(TP));
        List<ConsumerRecord<String, String>> records = poll(consumer, 60);
        assertThat(records.get(0).offset()).isEqualTo(40);
        assertThat(records.get(0).value()).isEqualTo("v40");

        KafkaConsumer<String, String> strict = consumer(Map.of("auto.offset.reset", "none"));
        strict.assign(List.of(TP));
        strict.seek(TP, 5);
        assertThatThrownBy(() -> poll(strict, 1)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void deletingToTheHighWatermarkEmptiesThePartitionAndBeyondItIsAnError() throws Exception {
        createTopic(TP.topic(), 1, Map.of());
        produce(10);
        Admin admin = admin();

        assertThat(lowWatermark(admin, -1)).isEqualTo(10);
        assertThatThrownBy(() -> lowWatermark(admin, 11)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(org.apache.kafka.common.errors.OffsetOutOfRangeException.class);

        produce(1);
        assertThat(admin.listOffsets(Map.of(TP, OffsetSpec.latest())).partitionResult(TP).get().offset()).isEqualTo(11);
    }
}
