package io.strata.faults.load;

import io.strata.faults.check.History;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An idempotent {@code acks=all} producer on its own thread that sends unique values
 * {@code <name>-<seq>[-padding]}, round robin over the partitions, and reports every acknowledgement (value,
 * partition, offset) and every failed send to a {@link History}. At most {@code maxInFlight} sends are
 * outstanding; an optional rate cap keeps a long run from filling the disk. It keeps sending through broker
 * restarts (the client retries, and sends that time out are counted as failed, not judged). Not reusable
 * after {@link #close()}.
 */
public final class CheckedProducer implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(CheckedProducer.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How a producer sends.
     *
     * @param maxInFlight     outstanding sends at most
     * @param recordsPerSecond send rate cap (0: none)
     * @param paddingBytes    bytes appended to each value, to make segments roll sooner
     * @param clientOverrides producer configs that win over the defaults here
     */
    public record Settings(int maxInFlight, int recordsPerSecond, int paddingBytes, Map<String, Object> clientOverrides) {
        public Settings {
            clientOverrides = Map.copyOf(clientOverrides);
        }

        public static Settings defaults() {
            return new Settings(200, 0, 100, Map.of());
        }

        public Settings withRate(int perSecond) {
            return new Settings(maxInFlight, perSecond, paddingBytes, clientOverrides);
        }

        public Settings withPadding(int bytes) {
            return new Settings(maxInFlight, recordsPerSecond, bytes, clientOverrides);
        }

        public Settings withClient(Map<String, Object> overrides) {
            return new Settings(maxInFlight, recordsPerSecond, paddingBytes, overrides);
        }
    }

    private final String name;
    private final String topic;
    private final int partitions;
    private final History history;
    private final Settings settings;
    private final KafkaProducer<String, String> producer;
    private final Semaphore inFlight;
    private final AtomicLong sent = new AtomicLong();
    private final String padding;
    private final Thread thread;
    private volatile boolean stopping;

    public CheckedProducer(String name, String bootstrap, String topic, int partitions, History history,
                           Settings settings) {
        this.name = name;
        this.topic = topic;
        this.partitions = partitions;
        this.history = history;
        this.settings = settings;
        this.padding = settings.paddingBytes() == 0 ? "" : "-" + "x".repeat(settings.paddingBytes());
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.producer = new KafkaProducer<>(config(bootstrap, name, settings), new StringSerializer(),
                new StringSerializer());
        this.thread = new Thread(this::run, "checked-producer-" + name);
        thread.setDaemon(true);
    }

    /** The client configuration: idempotence, acks=all, retries until the delivery timeout. */
    static Map<String, Object> config(String bootstrap, String name, Settings settings) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "fault-" + name);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1_000);
        config.putAll(settings.clientOverrides());
        return config;
    }

    public CheckedProducer start() {
        thread.start();
        return this;
    }

    private void run() {
        long startNanos = System.nanoTime();
        try {
            while (!stopping) {
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                long seq = sent.getAndIncrement();
                pace(startNanos, seq);
                send(seq);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pace(long startNanos, long seq) throws InterruptedException {
        if (settings.recordsPerSecond() > 0) {
            long due = startNanos + seq * 1_000_000_000L / settings.recordsPerSecond();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
    }

    private void send(long seq) {
        String value = name + "-" + seq + padding;
        int partition = (int) (seq % partitions);
        try {
            producer.send(new ProducerRecord<>(topic, partition, null, value), (metadata, error) -> {
                if (error == null) {
                    history.acknowledged(value, metadata.partition(), metadata.offset());
                } else {
                    history.failed(error);
                }
                inFlight.release();
            });
        } catch (RuntimeException e) {
            // send() itself throws when metadata does not come within max.block.ms (the broker is down)
            history.failed(e);
            inFlight.release();
            LOGGER.debug("{}: send of {} failed at once: {}", name, seq, e.toString());
        }
    }

    /** Sends attempted so far. */
    public long sent() {
        return sent.get();
    }

    /** Stops sending and waits for every outstanding send to complete (or fail at its delivery timeout). */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(CLOSE_TIMEOUT);
    }
}
