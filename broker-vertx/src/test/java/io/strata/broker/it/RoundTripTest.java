package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** 100,000 keyed records with headers through the default (idempotent, acks=all) producer and back. */
class RoundTripTest extends BrokerTestBase {

    private static final String TOPIC = "round-trip";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 100_000;
    private static final int KEYS = 1_000;

    @Test
    void everyRecordComesBackWithItsKeyValueHeadersAndContiguousOffsets() throws Exception {
        // Given a topic with three partitions
        createTopic(TOPIC, PARTITIONS, Map.of());

        // When 100k keyed records with headers are produced
        KafkaProducer<String, String> producer = producer();
        Queue<Exception> failures = new ConcurrentLinkedQueue<>();
        AtomicIntegerArray partitionOfRecord = new AtomicIntegerArray(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            int index = i;
            ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, null, key(i), "value-" + i,
                    List.of(new RecordHeader("index", Integer.toString(i).getBytes(StandardCharsets.UTF_8)),
                            new RecordHeader("kind", "round-trip".getBytes(StandardCharsets.UTF_8))));
            producer.send(record, (metadata, e) -> {
                if (e != null) {
                    failures.add(e);
                } else {
                    partitionOfRecord.set(index, metadata.partition());
                }
            });
        }
        producer.flush();
        assertThat(failures).isEmpty();

        // Then reading all partitions from the start returns every record exactly once
        KafkaConsumer<String, String> consumer = consumer();
        List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        List<ConsumerRecord<String, String>> records = poll(consumer, RECORDS);
        assertThat(records).hasSize(RECORDS);
        assertThat(consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(RECORDS);

        boolean[] seen = new boolean[RECORDS];
        Map<Integer, List<ConsumerRecord<String, String>>> byPartition = new HashMap<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            int index = Integer.parseInt(header(record, "index"));
            assertThat(seen[index]).as("record %d seen twice", index).isFalse();
            seen[index] = true;
            assertThat(record.key()).isEqualTo(key(index));
            assertThat(record.value()).isEqualTo("value-" + index);
            assertThat(header(record, "kind")).isEqualTo("round-trip");
            assertThat(record.headers().toArray()).hasSize(2);
            assertThat(record.partition()).isEqualTo(partitionOfRecord.get(index));
            assertThat(partitionOfKey.merge(record.key(), record.partition(), (a, b) -> a))
                    .as("partition of key %s", record.key()).isEqualTo(record.partition());
            byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }

        // And every partition holds offsets 0..n-1 in order, with each key's records in send order
        assertThat(byPartition).hasSize(PARTITIONS);
        for (List<ConsumerRecord<String, String>> inPartition : byPartition.values()) {
            Map<String, Integer> lastIndexOfKey = new HashMap<>();
            for (int offset = 0; offset < inPartition.size(); offset++) {
                ConsumerRecord<String, String> record = inPartition.get(offset);
                assertThat(record.offset()).isEqualTo(offset);
                int index = Integer.parseInt(header(record, "index"));
                Integer previous = lastIndexOfKey.put(record.key(), index);
                assertThat(previous == null || previous < index).as("order of key %s", record.key()).isTrue();
            }
        }

        // And keys are partitioned by the default partitioner (murmur2 of the key bytes)
        partitionOfKey.forEach((key, partition) -> assertThat(partition)
                .isEqualTo(Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS));
    }

    private static String key(int i) {
        return "key-" + (i % KEYS);
    }
}
