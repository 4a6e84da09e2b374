package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged tail of the active segment (a torn last batch, or garbage after the last batch) is cut at
 * restart: what precedes it stays readable, the offset and time index entries past it are gone, and new
 * records continue at the right offset.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TornTailRecoveryTest {

    private static final String TOPIC = "torn";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 20;
    private static final long T0 = System.currentTimeMillis() / 1000 * 1000 - 600_000;

    @TempDir
    Path tempDir;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    void aTornLastBatchIsTruncatedAndItsIndexEntriesForgotten() throws Exception {
        // Given 20 single-record batches, a clean shutdown, then the last batch cut short on disk
        Path segment = produceAndStop(false);
        long sizeBefore = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(sizeBefore - 7);
        }

        // When the broker restarts
        BrokerProcess broker = start();

        // Then it says what it cut, and only the first 19 records remain
        assertThat(broker.log()).containsPattern("Recovery of torn-0: truncated segment " + segment.getFileName()
                + " from " + (sizeBefore - 7) + " to \\d+ bytes at offset " + (RECORDS - 1));
        assertRecords(broker.bootstrapServers(), RECORDS - 1);
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            assertThat(listOffsets(admin, OffsetSpec.latest()).offset()).isEqualTo(RECORDS - 1);
            assertThat(listOffsets(admin, OffsetSpec.forTimestamp(timestamp(RECORDS - 1))).offset())
                    .as("no record at or after the cut record's timestamp").isEqualTo(-1);
            assertThat(listOffsets(admin, OffsetSpec.forTimestamp(timestamp(RECORDS - 2))).offset())
                    .isEqualTo(RECORDS - 2);
            ListOffsetsResultInfo max = listOffsets(admin, OffsetSpec.maxTimestamp());
            assertThat(max.offset()).isEqualTo(RECORDS - 2);
            assertThat(max.timestamp()).isEqualTo(timestamp(RECORDS - 2));

            // And new records continue at the cut offset, findable by timestamp
            appendAfterRecovery(broker.bootstrapServers(), RECORDS - 1);
            assertThat(listOffsets(admin, OffsetSpec.forTimestamp(timestamp(RECORDS - 1))).offset())
                    .isEqualTo(RECORDS - 1);
            assertThat(listOffsets(admin, OffsetSpec.maxTimestamp()).offset()).isEqualTo(RECORDS - 1);
            assertThat(listOffsets(admin, OffsetSpec.latest()).offset()).isEqualTo(RECORDS);
        }
    }

    @Test
    void garbageAfterTheLastBatchOfAKilledBrokerIsTruncated() throws Exception {
        // Given 20 single-record batches, SIGKILL, then garbage appended to the active segment
        Path segment = produceAndStop(true);
        long sizeBefore = Files.size(segment);
        byte[] garbage = new byte[100];
        Arrays.fill(garbage, (byte) 0xAB);
        Files.write(segment, garbage, StandardOpenOption.APPEND);

        // When the broker restarts
        BrokerProcess broker = start();

        // Then the garbage is cut and all 20 records remain
        assertThat(broker.log()).contains("Recovery of torn-0: truncated segment " + segment.getFileName()
                + " from " + (sizeBefore + garbage.length) + " to " + sizeBefore + " bytes at offset " + RECORDS);
        assertThat(Files.size(segment)).isEqualTo(sizeBefore);
        assertRecords(broker.bootstrapServers(), RECORDS);
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            assertThat(listOffsets(admin, OffsetSpec.latest()).offset()).isEqualTo(RECORDS);
            assertThat(listOffsets(admin, OffsetSpec.forTimestamp(timestamp(RECORDS - 1))).offset())
                    .isEqualTo(RECORDS - 1);
            assertThat(listOffsets(admin, OffsetSpec.forTimestamp(timestamp(RECORDS - 1) + 1)).offset())
                    .isEqualTo(-1);

            // And new records continue right after
            appendAfterRecovery(broker.bootstrapServers(), RECORDS);
            assertThat(listOffsets(admin, OffsetSpec.latest()).offset()).isEqualTo(RECORDS + 1);
            assertThat(listOffsets(admin, OffsetSpec.forTimestamp(timestamp(RECORDS - 1) + 1)).offset())
                    .isEqualTo(RECORDS);
        }
    }

    /** Produces {@link #RECORDS} single-record batches, stops the broker (SIGKILL or SIGTERM) and returns the active segment. */
    private Path produceAndStop(boolean kill) throws Exception {
        BrokerProcess broker = start();
        Clients.createTopic(broker.bootstrapServers(), TOPIC, 1, Map.of("index.interval.bytes", "1"));
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                long offset = producer.send(new ProducerRecord<>(TOPIC, 0, timestamp(i), "k" + i, "torn-" + i))
                        .get(30, TimeUnit.SECONDS).offset();
                assertThat(offset).isEqualTo(i);
            }
        }
        if (kill) {
            broker.kill();
        } else {
            broker.stop();
            assertThat(broker.log()).contains("Broker stopped");
        }
        try (Stream<Path> files = Files.list(tempDir.resolve("data").resolve(TOPIC + "-0"))) {
            return files.filter(f -> f.toString().endsWith(".log")).max(Comparator.naturalOrder()).orElseThrow();
        }
    }

    private static void appendAfterRecovery(String bootstrap, long expectedOffset) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of())) {
            long offset = producer.send(new ProducerRecord<>(TOPIC, 0, timestamp(RECORDS + 5), "k", "after"))
                    .get(30, TimeUnit.SECONDS).offset();
            assertThat(offset).isEqualTo(expectedOffset);
        }
        List<ConsumerRecord<String, String>> records = Clients.readAll(bootstrap, List.of(TP));
        assertThat(records).hasSize((int) expectedOffset + 1);
        assertThat(records.get(records.size() - 1).value()).isEqualTo("after");
    }

    private static void assertRecords(String bootstrap, int count) {
        List<ConsumerRecord<String, String>> records = Clients.readAll(bootstrap, List.of(TP));
        assertThat(records).hasSize(count);
        for (int i = 0; i < count; i++) {
            ConsumerRecord<String, String> record = records.get(i);
            assertThat(record.offset()).isEqualTo(i);
            assertThat(record.key()).isEqualTo("k" + i);
            assertThat(record.value()).isEqualTo("torn-" + i);
            assertThat(record.timestamp()).isEqualTo(timestamp(i));
        }
        // a fetch from inside the segment goes through the rebuilt offset index
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            consumer.assign(List.of(TP));
            consumer.seek(TP, count - 2);
            ConsumerRecords<String, String> polled = ConsumerRecords.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (polled.isEmpty() && System.nanoTime() < deadline) {
                polled = consumer.poll(Duration.ofMillis(500));
            }
            assertThat(polled.records(TP)).extracting(ConsumerRecord::value)
                    .containsExactly("torn-" + (count - 2), "torn-" + (count - 1));
        }
    }

    private static ListOffsetsResultInfo listOffsets(Admin admin, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(TP, spec)).partitionResult(TP).get(30, TimeUnit.SECONDS);
    }

    private static long timestamp(int i) {
        return T0 + i * 1000L;
    }

    private BrokerProcess start() throws Exception {
        return brokers.start(tempDir.resolve("data"), Map.of());
    }
}
