package io.strata.loadtest.bench;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end latency: a producer at a fixed rate writes records whose first 8 bytes are
 * {@link System#nanoTime()} at the send, a consumer in the same JVM (so the clocks agree), assigned to every
 * partition from offset 0 before the first send, takes {@code nanoTime()} again at each record it polls.
 * Reports p50, p99 and p99.9 of the difference.
 */
final class EndToEndDriver {

    private EndToEndDriver() {
    }

    static Map<Metric, Double> run(String bootstrap, String topic, Properties producerProps, long records, int recordSize,
                                   int rate, Progress.Task progress) throws Exception {
        byte[] filler = ProducerDriver.randomPayload(Math.max(Long.BYTES, recordSize));
        LatencyRecorder latencies = new LatencyRecorder();
        CountDownLatch positioned = new CountDownLatch(1);
        CompletableFuture<Void> consumed = CompletableFuture.runAsync(() -> consume(bootstrap, topic, records,
            latencies, positioned, progress));
        if (!positioned.await(60, TimeUnit.SECONDS)) {
            consumed.cancel(true);
            throw new TimeoutException("the e2e consumer did not get its partitions of " + topic + " within 60 s");
        }
        ProducerDriver.run(producerProps, topic, records, recordSize, rate, i -> {
            byte[] value = filler.clone();
            ByteBuffer.wrap(value).putLong(System.nanoTime());
            return value;
        }, new AtomicLong());
        consumed.get(ConsumerDriver.IDLE_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
        return latencies.percentilesMs();
    }

    private static void consume(String bootstrap, String topic, long records, LatencyRecorder latencies,
                                CountDownLatch positioned, Progress.Task progress) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
            ConsumerDriver.consumerProperties(bootstrap, 1024 * 1024))) {
            List<TopicPartition> partitions = ConsumerDriver.partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            partitions.forEach(consumer::position);
            positioned.countDown();
            long count = 0;
            long last = System.nanoTime();
            while (count < records) {
                var batch = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                if (batch.isEmpty() && now - last > ConsumerDriver.IDLE_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("the e2e consumer read " + count + " of " + records
                        + " records, then nothing for " + ConsumerDriver.IDLE_TIMEOUT.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    latencies.record(now - ByteBuffer.wrap(record.value()).getLong());
                    count++;
                }
                if (!batch.isEmpty()) {
                    last = now;
                    progress.done().set(count);
                }
            }
        }
    }
}
