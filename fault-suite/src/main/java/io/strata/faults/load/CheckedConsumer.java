package io.strata.faults.load;

import io.strata.faults.check.History;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer on its own thread that tails every partition of a topic from the beginning and reports each
 * record it reads to a {@link History}. A position past the log end (which only a rollback explains) is
 * reported as an event and read again from the beginning; other errors are reported and polling goes on,
 * so it rides through broker restarts. Not reusable after {@link #close()}.
 */
public final class CheckedConsumer implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(CheckedConsumer.class);

    private final String name;
    private final History history;
    private final List<TopicPartition> partitions;
    private final KafkaConsumer<String, String> consumer;
    private final AtomicLong read = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopping;

    public CheckedConsumer(String name, String bootstrap, String topic, int partitionCount, History history) {
        this.name = name;
        this.history = history;
        this.partitions = IntStream.range(0, partitionCount).mapToObj(p -> new TopicPartition(topic, p)).toList();
        this.consumer = new KafkaConsumer<>(config(bootstrap, name), new StringDeserializer(), new StringDeserializer());
        this.thread = new Thread(this::run, "checked-consumer-" + name);
        thread.setDaemon(true);
    }

    static Map<String, Object> config(String bootstrap, String name) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "fault-" + name,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
    }

    public CheckedConsumer start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stopping) {
                poll();
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void poll() {
        try {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                history.seen(record.value(), record.partition(), record.offset());
                read.incrementAndGet();
            }
        } catch (OffsetOutOfRangeException e) {
            history.event(name + ": position out of range " + e.offsetOutOfRangePartitions()
                    + " (past the log end after a restart?); reading again from the beginning");
            consumer.seekToBeginning(e.partitions());
        } catch (KafkaException e) {
            LOGGER.info("{}: poll failed, polling on: {}", name, e.toString());
            sleepQuietly();
        }
    }

    private static void sleepQuietly() {
        try {
            TimeUnit.MILLISECONDS.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records read so far. */
    public long read() {
        return read.get();
    }

    @Override
    public void close() {
        stopping = true;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
