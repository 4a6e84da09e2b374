package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.tiered.Workload.Sent;
import io.strata.tiering.remote.ChunkCache;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Reads that span both tiers, with stock Kafka clients: most of the log lives only in the bucket,
 * and consumers and ListOffsets see one log, exactly as it was produced.
 */
class RemoteReadTest extends S3ServerTestBase {

    private static final long T0 = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
    private static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    private static final int PER_COMPRESSION = 600;

    @Test
    void consumerReadsRemoteOnlyRecordsByteIdenticalFromOffsetZero() throws Exception {
        // Given far more records than the local tier keeps, in five compression types
        TopicPartition tp = new TopicPartition("reads", 0);
        createTopic(tp.topic(), 1, TIERED);
        Workload workload = produceInEveryCompression(tp);
        int total = workload.sent().size();

        // When most of the log is only in the bucket
        awaitRemoteOnlyUpTo(tp, total * 3L / 4);
        assertThat(log(tp).logStartOffset()).isZero();

        // Then a stock consumer from the beginning gets every record back, byte for byte, in order
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        Workload.assertSame(poll(consumer, total), workload.sent());
        assertThat(broker.logs().remote().orElseThrow().metrics().fetchBytes()).as("bytes read from the bucket")
                .isPositive();
    }

    @Test
    void offsetsForTimesAndListOffsetsAreExactAcrossTheLocalRemoteBoundary() throws Exception {
        // Given a mostly remote-only log with timestamps T0, T0+10, ...
        TopicPartition tp = new TopicPartition("times", 0);
        createTopic(tp.topic(), 1, TIERED);
        Workload workload = new Workload(tp, 2);
        workload.send(producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")), 3000, T0, 10);
        List<Sent> sent = workload.sent();
        awaitRemoteOnlyUpTo(tp, sent.size() * 3L / 4);
        long localStart = log(tp).localStartOffset();
        ChunkCache cache = broker.logs().remote().orElseThrow().cache();
        long getsBefore = cache.gets();

        // When the consumer asks by timestamp on both sides of the boundary
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        for (long offset : new long[] {0, 1, 150, 1000, localStart - 1, localStart, localStart + 1, sent.size() - 1}) {
            Sent probe = sent.get((int) offset);
            // Then it finds the record with that timestamp, and the next one for a timestamp just after it
            assertThat(offsetForTime(consumer, tp, probe.timestamp())).as("offsetsForTimes(%d) for offset %d",
                    probe.timestamp(), offset).isEqualTo(new OffsetAndTimestamp(offset, probe.timestamp()));
            assertThat(offsetForTime(consumer, tp, probe.timestamp() - 5)).as("just before offset %d", offset)
                    .isEqualTo(new OffsetAndTimestamp(offset, probe.timestamp()));
        }
        assertThat(offsetForTime(consumer, tp, T0 - 1_000)).isEqualTo(new OffsetAndTimestamp(0, T0));
        assertThat(offsetForTime(consumer, tp, sent.get(sent.size() - 1).timestamp() + 1)).as("after every timestamp")
                .isNull();

        // And Admin.listOffsets agrees, for timestamps and for earliest, latest and max-timestamp
        Admin admin = admin();
        assertThat(listOffset(admin, tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(listOffset(admin, tp, OffsetSpec.latest()).offset()).isEqualTo(sent.size());
        // (local retention may still move on between the calls, so the answers are bounded, not fixed)
        long earliestLocal = listOffset(admin, tp, OffsetSpec.earliestLocal()).offset();
        assertThat(earliestLocal).isBetween(localStart, log(tp).localStartOffset());
        long latestTiered = listOffset(admin, tp, OffsetSpec.latestTiered()).offset();
        assertThat(latestTiered).isBetween(localStart - 1, log(tp).remoteEndOffset() - 1);
        for (long offset : new long[] {150, localStart - 1, localStart, sent.size() - 2}) {
            ListOffsetsResultInfo byTime = listOffset(admin, tp, OffsetSpec.forTimestamp(sent.get((int) offset)
                    .timestamp()));
            assertThat(byTime.offset()).as("listOffsets by the timestamp of offset %d", offset).isEqualTo(offset);
            assertThat(byTime.timestamp()).isEqualTo(sent.get((int) offset).timestamp());
        }
        ListOffsetsResultInfo max = listOffset(admin, tp, OffsetSpec.maxTimestamp());
        assertThat(max.offset()).isEqualTo(sent.size() - 1);
        assertThat(max.timestamp()).isEqualTo(sent.get(sent.size() - 1).timestamp());
        assertThat(cache.gets()).as("objects read to answer the lookups").isEqualTo(getsBefore);
    }

    @Test
    void maxTimestampFoundInTheRemoteTier() throws Exception {
        // Given a log whose greatest timestamp is on an early record that is now only in the bucket
        TopicPartition tp = new TopicPartition("max-time", 0);
        createTopic(tp.topic(), 1, TIERED);
        Workload workload = new Workload(tp, 3);
        KafkaProducer<byte[], byte[]> producer = producer(Map.of());
        workload.send(producer, 200, T0, 10);
        Sent newest = workload.send(producer, 1, T0 + TimeUnit.MINUTES.toMillis(50), 0).get(0);
        workload.send(producer, 2000, T0 + 2_000, 10);
        awaitRemoteOnlyUpTo(tp, newest.offset() + 1000);

        // When Admin asks for the max timestamp, and the consumer for a timestamp only that record reaches
        ListOffsetsResultInfo max = listOffset(admin(), tp, OffsetSpec.maxTimestamp());
        OffsetAndTimestamp found = offsetForTime(consumer(Map.of()), tp, newest.timestamp() - 1);

        // Then both name that remote record
        assertThat(max.offset()).isEqualTo(newest.offset());
        assertThat(max.timestamp()).isEqualTo(newest.timestamp());
        assertThat(found).isEqualTo(new OffsetAndTimestamp(newest.offset(), newest.timestamp()));
    }

    private Workload produceInEveryCompression(TopicPartition tp) throws Exception {
        Workload workload = new Workload(tp, 1);
        long timestamp = T0;
        for (String compression : COMPRESSIONS) {
            KafkaProducer<byte[], byte[]> producer = producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG,
                    compression));
            workload.send(producer, PER_COMPRESSION, timestamp, 3);
            timestamp += PER_COMPRESSION * 3L;
        }
        return workload;
    }

    private static OffsetAndTimestamp offsetForTime(KafkaConsumer<?, ?> consumer, TopicPartition tp, long timestamp) {
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, timestamp)).get(tp);
        return found == null ? null : new OffsetAndTimestamp(found.offset(), found.timestamp());
    }

    private static ListOffsetsResultInfo listOffset(Admin admin, TopicPartition tp, OffsetSpec spec)
            throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get(30, TimeUnit.SECONDS);
    }
}
