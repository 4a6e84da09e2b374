package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.StrataBroker;
import io.strata.index.SegmentRecord;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.tiering.remote.BucketInspector;
import io.strata.tiering.remote.BucketInspector.Problem;
import io.strata.tiering.remote.RemoteMetrics;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.Test;

/**
 * A sealed segment holding a compressed batch that cannot be decompressed (written by a broker that
 * did not check compressed records on produce) does not wedge the uploader: the segment goes to the
 * bucket as it is, it is reported (a WARN line, the copy error counter and the unreadable-segment
 * counter, {@code strata inspect verify}), and the partition's later segments follow it.
 */
class UnreadableSegmentUploadTest extends S3ServerTestBase {

    private static final String TOPIC = "older";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 400;

    @Test
    void aSegmentWithAnUnreadableCompressedBatchDoesNotStopLaterSegmentsFromReachingTheBucket() throws Exception {
        // Given a partition of gzip batches over several sealed segments, written while it did not tier
        Map<String, String> configs = new HashMap<>(TIERED);
        configs.put("remote.storage.enable", "false");
        createTopic(TOPIC, 1, configs);
        KafkaProducer<byte[], byte[]> producer = producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip"));
        Random random = new Random(7);
        for (int i = 0; i < RECORDS; i++) {
            byte[] value = new byte[200];
            random.nextBytes(value);
            producer.send(new ProducerRecord<>(TOPIC, 0, null, value));
        }
        producer.flush();
        List<SegmentRecord> sealed = log(PARTITION).sealedSegments();
        assertThat(sealed).hasSizeGreaterThanOrEqualTo(3);
        Path first = log(PARTITION).segmentFile(sealed.get(0).baseOffset());
        stopBroker();
        // and the first batch of its first segment holds garbage instead of gzip data, under a valid CRC
        long badBatchLastOffset = corruptFirstBatch(first);

        // When the broker starts again and the topic is switched to tiering
        broker = StrataBroker.start(brokerConfig(dataDir));
        admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC),
                        List.of(new AlterConfigOp(new ConfigEntry("remote.storage.enable", "true"),
                                AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);

        // Then every sealed segment reaches the bucket, the unreadable one included, and it is counted
        awaitEverySealedSegmentCopied(PARTITION);
        RemoteMetrics metrics = broker.logs().remote().orElseThrow().metrics();
        assertThat(metrics.unreadableSegments()).isEqualTo(1);
        assertThat(metrics.copyErrors()).isPositive();
        // And inspect verify names the segment and the batch's offsets
        try (S3ObjectStore store = S3ObjectStore.open(s3.clientConfig().prefix(prefix).build())) {
            BucketInspector inspector = new BucketInspector(store);
            List<Problem> problems = inspector.verify(inspector.inventory(), true);
            assertThat(problems).singleElement().satisfies(problem -> {
                assertThat(problem.kind()).isEqualTo("UNREADABLE_BATCH");
                assertThat(problem.key()).endsWith("00000000000000000000.log");
                assertThat(problem.detail()).contains("offsets 0.." + badBatchLastOffset);
            });
        }
        // And a consumer that seeks past the batch reads every later record, from the bucket
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        consumer.assign(List.of(PARTITION));
        consumer.seek(PARTITION, badBatchLastOffset + 1);
        List<ConsumerRecord<byte[], byte[]>> rest = poll(consumer, (int) (RECORDS - badBatchLastOffset - 1));
        assertThat(rest.get(0).offset()).isEqualTo(badBatchLastOffset + 1);
        assertThat(rest.get(rest.size() - 1).offset()).isEqualTo(RECORDS - 1);
    }

    /**
     * Replaces the compressed records of the file's first batch with garbage and recomputes the batch's
     * CRC (magic v2 layout: length at byte 8, CRC at 17 over bytes 21 to the end, last offset delta at 23);
     * returns the batch's last offset.
     */
    private static long corruptFirstBatch(Path file) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
            channel.read(header, 0);
            int size = header.getInt(8) + 12;
            ByteBuffer batch = ByteBuffer.allocate(size);
            channel.read(batch, 0);
            batch.flip();
            byte[] garbage = new byte[size - DefaultRecordBatch.RECORD_BATCH_OVERHEAD];
            new Random(11).nextBytes(garbage);
            batch.put(DefaultRecordBatch.RECORD_BATCH_OVERHEAD, garbage);
            batch.putInt(17, (int) Crc32C.compute(batch, 21, size - 21));
            channel.write(batch, 0);
            channel.force(true);
            return batch.getLong(0) + batch.getInt(23);
        }
    }
}
