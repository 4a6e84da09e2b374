package io.strata.loadtest.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * One producer sending a bounded number of records, as fast as it can or at a fixed rate (record {@code i}
 * is sent at {@code i / rate} seconds after the first), measuring from the first {@code send()} to the last
 * acknowledgement, and the latency of every record from {@code send()} to its acknowledgement. Like
 * Kafka's ProducerPerformance it sends the same random payload each time, unless a payload function is
 * given (e2e-latency stamps each record).
 */
final class ProducerDriver {

    /**
     * Throughput figures (MiB of values and records per second), the send-to-ack percentiles, and what the
     * producer saw of the broker ({@link #CLIENT_METRICS}: the per-request figures that bound throughput
     * when the producer has all its requests in flight).
     */
    record Result(Map<Metric, Double> figures, long acknowledged, Map<String, Double> client) {

        /** The client metrics on one line, for the progress output. */
        String describeClient() {
            return ClientMetrics.describe(client);
        }
    }

    /** The producer-metrics read after a run (averages over the run). */
    static final List<String> CLIENT_METRICS = List.of("request-latency-avg", "records-per-request-avg",
        "batch-size-avg", "request-rate", "record-queue-time-avg", "bufferpool-wait-ratio");

    private ProducerDriver() {
    }

    static Properties producerProperties(String bootstrap, String acks, Workload workload) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, acks);
        props.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(workload.lingerMs()));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(workload.batchSize()));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }

    static byte[] randomPayload(int size) {
        byte[] payload = new byte[size];
        Random random = new Random(size);
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) ('A' + random.nextInt(26));
        }
        return payload;
    }

    /**
     * Sends {@code records} records; {@code rate} ≤ 0 means unthrottled. Fails with the first send error.
     *
     * @param payloads the value of record {@code i}, or null for the same random payload every time
     * @param acknowledged counts the acknowledged records as they come (progress)
     */
    static Result run(Properties props, String topic, long records, int recordSize, int rate,
                      LongFunction<byte[]> payloads, AtomicLong acknowledged) throws Exception {
        byte[] fixed = randomPayload(recordSize);
        LatencyRecorder latencies = new LatencyRecorder();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start;
        long end;
        Map<String, Double> client;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            start = System.nanoTime();
            for (long i = 0; i < records && failure.get() == null; i++) {
                if (rate > 0) {
                    long due = start + (long) (i * 1e9 / rate);
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                }
                byte[] value = payloads == null ? fixed : payloads.apply(i);
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, value), (metadata, exception) -> {
                    if (exception != null) {
                        failure.compareAndSet(null, exception);
                    } else {
                        latencies.record(System.nanoTime() - sent);
                        acknowledged.incrementAndGet();
                    }
                });
            }
            producer.flush();
            end = System.nanoTime();
            client = ClientMetrics.read(producer.metrics(), "producer-metrics", CLIENT_METRICS);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        double seconds = (end - start) / 1e9;
        Map<Metric, Double> figures = new EnumMap<>(Metric.class);
        figures.put(Metric.MIB_PER_SEC, acknowledged.get() * (double) recordSize / (1024 * 1024) / seconds);
        figures.put(Metric.RECORDS_PER_SEC, acknowledged.get() / seconds);
        figures.putAll(latencies.percentilesMs());
        return new Result(figures, acknowledged.get(), client);
    }
}
