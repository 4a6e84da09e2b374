package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.network.RawKafkaClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Compressed batches whose CRC is right but whose records are not (garbage payload, a record count or
 * offset deltas that disagree with the header, a decompression bomb) are refused on produce, per
 * partition, as Apache Kafka refuses them, and the log end does not move. Sent over a raw socket:
 * real producers never build such batches.
 */
class CompressedBatchValidationTest extends BrokerTestBase {

    private static final String TOPIC = "checked";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    /** Byte positions in a magic v2 batch header (Kafka's DefaultRecordBatch layout). */
    private static final int CRC_OFFSET = 17;
    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int LAST_OFFSET_DELTA_OFFSET = 23;
    private static final int RECORDS_COUNT_OFFSET = 57;

    @BeforeEach
    void topic() throws Exception {
        createTopic(TOPIC, 1, Map.of());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"GZIP", "SNAPPY", "LZ4", "ZSTD"})
    void garbageCompressedPayloadWithAValidCrcIsRejectedWithCorruptMessage(CompressionType type) throws Exception {
        // Given a batch of that codec whose compressed bytes are replaced by garbage, with its CRC recomputed
        ByteBuffer batch = batch(type, 10).buffer();
        byte[] garbage = new byte[batch.limit() - DefaultRecordBatch.RECORD_BATCH_OVERHEAD];
        new Random(42).nextBytes(garbage);
        batch.put(DefaultRecordBatch.RECORD_BATCH_OVERHEAD, garbage);
        MemoryRecords records = withValidCrc(batch);
        assertThat(records.firstBatch().isValid()).isTrue();

        // When it is produced
        PartitionProduceResponse result = produce(records);

        // Then it is refused as corrupt and nothing was appended
        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(logEnd()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"GZIP", "SNAPPY", "LZ4", "ZSTD"})
    void aTruncatedCompressedStreamIsRejectedAndTheLogEndDoesNotMove(CompressionType type) throws Exception {
        // Given a batch whose compressed stream stops half-way (its header and CRC made consistent again)
        ByteBuffer full = batch(type, 200).buffer();
        int cut = DefaultRecordBatch.RECORD_BATCH_OVERHEAD + (full.limit() - DefaultRecordBatch.RECORD_BATCH_OVERHEAD) / 2;
        ByteBuffer batch = ByteBuffer.allocate(cut).put(full.duplicate().limit(cut)).flip();
        batch.putInt(8, cut - 12); // the batch length field counts the bytes after itself
        MemoryRecords records = withValidCrc(batch);

        // When it is produced
        PartitionProduceResponse result = produce(records);

        // Then it is refused (Kafka: corrupt stream or premature end of the records) and nothing was appended
        assertThat(Errors.forCode(result.errorCode())).isIn(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD);
        assertThat(logEnd()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"GZIP, 4", "ZSTD, 2", "SNAPPY, 4", "LZ4, 2"})
    void aCompressedBatchWhoseRecordCountDisagreesWithItsHeaderIsInvalidRecord(CompressionType type, int declared)
            throws Exception {
        // Given a batch of 3 records whose header (record count and last offset delta) declares another count
        ByteBuffer batch = batch(type, 3).buffer();
        batch.putInt(LAST_OFFSET_DELTA_OFFSET, declared - 1);
        batch.putInt(RECORDS_COUNT_OFFSET, declared);

        // When it is produced
        PartitionProduceResponse result = produce(withValidCrc(batch));

        // Then it is refused as Kafka refuses it, and nothing was appended
        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(logEnd()).isZero();
    }

    @Test
    void anUncompressedBatchWhoseRecordLengthLiesIsInvalidRecordThoughItsCrcHolds() throws Exception {
        // Given an uncompressed batch whose first record's length prefix (a varint right after the header) claims
        // one byte more than its fields take, the CRC recomputed (found by ProduceRecordsFuzzTest: acknowledged,
        // then unreadable for every consumer)
        ByteBuffer batch = batch(CompressionType.NONE, 3).buffer();
        int lengthAt = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
        int length = batch.get(lengthAt); // a zigzag varint: one byte for a record this small
        batch.put(lengthAt, (byte) (length + 2)); // + 1 in zigzag
        MemoryRecords records = withValidCrc(batch);
        assertThat(records.firstBatch().isValid()).isTrue();

        // When it is produced
        PartitionProduceResponse result = produce(records);

        // Then it is refused, as Kafka refuses it, and nothing was appended
        assertThat(Errors.forCode(result.errorCode())).isIn(Errors.INVALID_RECORD, Errors.CORRUPT_MESSAGE);
        assertThat(logEnd()).isZero();
    }

    @Test
    void innerOffsetDeltasWithAGapAreInvalidRecord() throws Exception {
        // Given a lz4 batch of 3 records at offset deltas 0, 2, 3 whose header claims deltas 0..2
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(4096), RecordBatch.MAGIC_VALUE_V2,
                Compression.lz4().build(), TimestampType.CREATE_TIME, 0L);
        builder.appendWithOffset(0, new SimpleRecord(System.currentTimeMillis(), value(0)));
        builder.appendWithOffset(2, new SimpleRecord(System.currentTimeMillis(), value(2)));
        builder.appendWithOffset(3, new SimpleRecord(System.currentTimeMillis(), value(3)));
        ByteBuffer batch = builder.build().buffer();
        batch.putInt(LAST_OFFSET_DELTA_OFFSET, 2);

        // When it is produced
        PartitionProduceResponse result = produce(withValidCrc(batch));

        // Then it is refused, and nothing was appended
        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.INVALID_RECORD);
        assertThat(logEnd()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"GZIP, 256", "ZSTD, 1024"})
    void aDecompressionBombIsRejectedQuicklyWithoutInflatingIt(CompressionType type, int mebibytes) throws Exception {
        // Given a batch under max.message.bytes (1 MiB by default) that inflates to 256 MiB or 1 GiB (records
        // of 1 MiB of zeros), far beyond 64 x max.message.bytes
        ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
        MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1 << 20), RecordBatch.MAGIC_VALUE_V2,
                Compression.of(type).build(), TimestampType.CREATE_TIME, 0L);
        long now = System.currentTimeMillis();
        for (int i = 0; i < mebibytes; i++) {
            builder.append(now, null, zeros.duplicate());
        }
        MemoryRecords bomb = builder.build();
        assertThat(bomb.sizeInBytes()).isLessThan(1_048_588);

        // When it is produced
        long started = System.nanoTime();
        PartitionProduceResponse result = produce(bomb);
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        // Then it is refused as too large after inflating 64 MiB of it, well under the seconds the whole takes
        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.MESSAGE_TOO_LARGE);
        assertThat(result.errorMessage()).contains("decompress to more than " + 64 * 1048588);
        assertThat(tookMs).isLessThan(5_000);
        assertThat(logEnd()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "GZIP", "SNAPPY", "LZ4", "ZSTD"})
    void aValidCompressedBatchIsStillAppended(CompressionType type) throws Exception {
        PartitionProduceResponse result = produce(batch(type, 50));

        assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.NONE);
        assertThat(logEnd()).isEqualTo(50);
    }

    @Test
    void aJavaProducerWhoseCompressedBatchesExceedMaxMessageBytesUncompressedStillWorks() throws Exception {
        // Given a topic taking batches of up to 64 KiB, and a producer whose gzip batches of 512 KiB of
        // repetitive records compress far below that
        String topic = "split";
        createTopic(topic, 1, Map.of("max.message.bytes", "65536"));
        KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.LINGER_MS_CONFIG, 1_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000));
        producer.partitionsFor(topic);

        // When it sends 500 records of 1000 bytes
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, 0, null, String.format("%04d", i) + "x".repeat(996))));
        }
        producer.flush();

        // Then every record is stored once, in order, as Kafka stores them (its limit is on the compressed batch)
        for (int i = 0; i < 500; i++) {
            assertThat(sent.get(i).get(30, TimeUnit.SECONDS).offset()).isEqualTo(i);
        }
        assertThat(broker.logs().log(new TopicPartition(topic, 0)).orElseThrow().highWatermark()).isEqualTo(500);
    }

    private static MemoryRecords batch(CompressionType type, int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), ("k" + i).getBytes(StandardCharsets.UTF_8),
                    value(i));
        }
        return MemoryRecords.withRecords(Compression.of(type).build(), records);
    }

    private static byte[] value(int i) {
        return ("value " + i + " " + "x".repeat(i % 40)).getBytes(StandardCharsets.UTF_8);
    }

    /** The batch in {@code buffer} (position 0) with its CRC-32C recomputed over attributes..end. */
    private static MemoryRecords withValidCrc(ByteBuffer buffer) {
        long crc = Crc32C.compute(buffer, ATTRIBUTES_OFFSET, buffer.limit() - ATTRIBUTES_OFFSET);
        buffer.putInt(CRC_OFFSET, (int) crc);
        return MemoryRecords.readableRecords(buffer.duplicate().position(0));
    }

    private PartitionProduceResponse produce(MemoryRecords records) throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            ProduceResponse response = client.call(RawRequests.produce(TOPIC, 0, records), 1);
            return RawRequests.result(response);
        }
    }

    private long logEnd() {
        return broker.logs().log(PARTITION).orElseThrow().highWatermark();
    }
}
