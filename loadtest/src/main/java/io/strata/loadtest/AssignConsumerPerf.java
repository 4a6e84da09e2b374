package io.strata.loadtest;

import io.strata.loadtest.bench.ConsumerDriver;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.text.SimpleDateFormat;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Kafka's {@code ConsumerPerformance} without a consumer group: assigns every partition of the
 * topic with {@code assign()}, seeks to the beginning and reads {@code --messages} records, with
 * the same consumer settings (1 MiB {@code max.partition.fetch.bytes}, 2 MiB receive buffer, CRC
 * checks off) and the same output: a header line and one CSV line,
 * {@code start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
 * rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec}, MB meaning MiB. The rebalance
 * time is always 0. compare.sh uses it for both systems while Strata has no consumer groups.
 *
 * <p>Usage: {@code AssignConsumerPerf --bootstrap-server HOST:PORT --topic T --messages N
 * [--timeout MS] [--max-partition-fetch-bytes B]}; the timeout (default 10 s) is the longest wait
 * between two non-empty polls; the fetch size (default 1 MiB, ConsumerPerformance's) is for
 * catchup.sh's FETCH_BYTES.
 */
public final class AssignConsumerPerf {

    static final String HEADER = "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
        + "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

    private AssignConsumerPerf() {
    }

    public static void main(String[] args) {
        Arguments arguments = Arguments.parse(args);
        String bootstrap = arguments.required("bootstrap-server");
        String topic = arguments.required("topic");
        long messages = Long.parseLong(arguments.required("messages"));
        long timeoutMs = Long.parseLong(arguments.optional("timeout", "10000"));
        String partitionFetchBytes = arguments.optional("max-partition-fetch-bytes", Integer.toString(1024 * 1024));

        System.out.println(HEADER);
        long bytesRead = 0;
        long messagesRead = 0;
        long startMs = System.currentTimeMillis();
        double cpuStart = ProcessCpu.ownSeconds();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap, partitionFetchBytes))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofMillis(timeoutMs)).stream()
                .map(PartitionInfo::partition)
                .map(partition -> new TopicPartition(topic, partition))
                .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long lastConsumedMs = System.currentTimeMillis();
            long nowMs = lastConsumedMs;
            while (messagesRead < messages && nowMs - lastConsumedMs <= timeoutMs) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                nowMs = System.currentTimeMillis();
                if (!records.isEmpty()) {
                    lastConsumedMs = nowMs;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    messagesRead++;
                    bytesRead += (record.key() == null ? 0 : record.key().length)
                        + (record.value() == null ? 0 : record.value().length);
                }
            }
        }
        long endMs = System.currentTimeMillis();
        if (messagesRead < messages) {
            System.out.printf("WARNING: Exiting before consuming the expected number of messages: timeout (%d ms) exceeded.%n",
                timeoutMs);
        }
        System.out.printf(Locale.ROOT, "cpu-s=%.2f%n", ProcessCpu.ownSeconds() - cpuStart);
        System.out.println(summaryLine(startMs, endMs, bytesRead, messagesRead));
    }

    /** The CSV line ConsumerPerformance prints at the end, with a rebalance time of 0. */
    static String summaryLine(long startMs, long endMs, long bytesRead, long messagesRead) {
        SimpleDateFormat dateFormat = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss:SSS", Locale.ROOT);
        double elapsedSec = Math.max(1, endMs - startMs) / 1000.0;
        double megabytes = bytesRead / (1024.0 * 1024.0);
        return String.format(Locale.ROOT, "%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f",
            dateFormat.format(startMs), dateFormat.format(endMs), megabytes, megabytes / elapsedSec,
            messagesRead, messagesRead / elapsedSec, 0, endMs - startMs, megabytes / elapsedSec,
            messagesRead / elapsedSec);
    }

    private static Properties consumerProps(String bootstrap, String partitionFetchBytes) {
        Properties props = ConsumerDriver.consumerProperties(bootstrap, Integer.parseInt(partitionFetchBytes));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "perf-consumer-client");
        return props;
    }
}
