package io.strata.faults.load;

import io.strata.faults.check.FinalLog;
import io.strata.faults.check.Observation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic from its earliest offsets up to the end offsets it finds at the start, with a fresh
 * consumer, for the {@link io.strata.faults.check.Checker}.
 */
public final class FinalRead {

    private FinalRead() {}

    /**
     * @throws IllegalStateException when the end is not reached within {@code timeout}
     */
    public static FinalLog read(String bootstrap, String topic, int partitionCount, Duration timeout) {
        List<TopicPartition> partitions =
                IntStream.range(0, partitionCount).mapToObj(p -> new TopicPartition(topic, p)).toList();
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "fault-final-read",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            Map<Integer, Long> starts = new HashMap<>();
            consumer.beginningOffsets(partitions).forEach((tp, offset) -> starts.put(tp.partition(), offset));
            Map<Integer, Long> ends = new HashMap<>();
            consumer.endOffsets(partitions).forEach((tp, offset) -> ends.put(tp.partition(), offset));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<Observation> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reachedEnd(consumer, partitions, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the final read did not reach the end offsets " + ends + " within "
                            + timeout.toSeconds() + " s; it read " + records.size() + " records");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < ends.get(record.partition())) {
                        records.add(new Observation(record.value(), record.partition(), record.offset()));
                    }
                }
            }
            return new FinalLog(records, starts, ends);
        }
    }

    private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
                                      Map<Integer, Long> ends) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < ends.get(tp.partition())) {
                return false;
            }
        }
        return true;
    }
}
