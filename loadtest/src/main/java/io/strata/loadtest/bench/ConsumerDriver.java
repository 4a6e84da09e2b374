package io.strata.loadtest.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One consumer reading a topic from offset 0 until it has {@code records} records, with the settings of
 * Kafka's ConsumerPerformance (1 MiB {@code max.partition.fetch.bytes} unless told, 2 MiB receive buffer,
 * CRC checks off). It either assigns every partition ({@code assign()} and {@code seekToBeginning()}) or
 * subscribes with a fresh consumer group, as ConsumerPerformance does; the time then includes the first
 * rebalance, which is why both brokers the tool starts have {@code group.initial.rebalance.delay.ms=0}.
 * The figures count record values and run from the consumer's creation (start-up included, as in
 * ConsumerPerformance) to the last record.
 */
public final class ConsumerDriver {

    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** The fetch metrics read after a run: what bounds a consumer that always has a fetch in flight. */
    static final List<String> CLIENT_METRICS = List.of("fetch-latency-avg", "fetch-size-avg",
        "records-per-request-avg", "fetch-rate", "fetch-throttle-time-avg");

    /** Throughput figures, and what the consumer saw of the broker ({@link #CLIENT_METRICS}). */
    record Result(Map<Metric, Double> figures, Map<String, Double> client) {

        /** The client metrics on one line, for the progress output. */
        String describeClient() {
            return ClientMetrics.describe(client);
        }
    }

    private ConsumerDriver() {
    }

    /** ConsumerPerformance's settings, also those of {@link io.strata.loadtest.AssignConsumerPerf}. */
    public static Properties consumerProperties(String bootstrap, int partitionFetchBytes) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, Integer.toString(2 * 1024 * 1024));
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(partitionFetchBytes));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.CHECK_CRCS_CONFIG, "false");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream().map(PartitionInfo::partition)
            .map(partition -> new TopicPartition(topic, partition)).toList();
    }

    /**
     * Reads {@code records} records of {@code topic}; fails when none arrives for {@link #IDLE_TIMEOUT}.
     *
     * @param endOffsets per partition, the offset to stop before (records at or past it are not counted and
     *                   the partition is paused); empty: no bound but {@code records}
     * @param done       counts the records read as they come (progress)
     */
    static Result run(String bootstrap, String topic, long records, boolean group,
                                   Map<Integer, Long> endOffsets, AtomicLong done) throws TimeoutException {
        Properties props = consumerProperties(bootstrap, 1024 * 1024);
        if (group) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        }
        long bytes = 0;
        long count = 0;
        long start = System.nanoTime();
        long last = start;
        Map<String, Double> client;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            if (group) {
                consumer.subscribe(List.of(topic));
            } else {
                List<TopicPartition> partitions = partitions(consumer, topic);
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
            }
            while (count < records) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                if (batch.isEmpty()) {
                    if (now - last > IDLE_TIMEOUT.toNanos()) {
                        throw new TimeoutException("read " + count + " of " + records + " records of " + topic
                            + ", then nothing for " + IDLE_TIMEOUT.toSeconds() + " s");
                    }
                    continue;
                }
                last = now;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    Long end = endOffsets.get(record.partition());
                    if (end != null && record.offset() >= end) {
                        consumer.pause(List.of(new TopicPartition(topic, record.partition())));
                        continue;
                    }
                    bytes += record.value() == null ? 0 : record.value().length;
                    count++;
                }
                done.set(count);
            }
            client = ClientMetrics.read(consumer.metrics(), "consumer-fetch-manager-metrics", CLIENT_METRICS);
        }
        double seconds = (last - start) / 1e9;
        Map<Metric, Double> figures = new EnumMap<>(Metric.class);
        figures.put(Metric.MIB_PER_SEC, bytes / (1024.0 * 1024.0) / seconds);
        figures.put(Metric.RECORDS_PER_SEC, count / seconds);
        return new Result(figures, client);
    }
}
