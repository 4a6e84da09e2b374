package io.strata.tiering.log;

import static io.strata.tiering.log.LogHarness.config;
import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strata.tiering.config.LogConfig;
import io.strata.tiering.testing.MutableClock;
import io.strata.tiering.testing.RecordBatches;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordBatchValidatorTest {

    private static final long NOW = MutableClock.DEFAULT_START_MS;

    private static Errors errorOf(MemoryRecords records, LogConfig config) {
        Throwable thrown = catchThrowable(
                () -> RecordBatchValidator.validate(records, config, NOW, "orders-0"));
        assertThat(thrown).as("validation must fail").isNotNull();
        return Errors.forException(thrown);
    }

    /** Rewrites the CRC so that only the deliberate change is wrong with the batch. */
    private static void fixCrc(ByteBuffer buffer) {
        int start = DefaultRecordBatch.CRC_OFFSET + 4;
        long crc = Crc32C.compute(buffer, start, buffer.limit() - start);
        buffer.putInt(DefaultRecordBatch.CRC_OFFSET, (int) crc);
    }

    @Test
    void acceptsAValidCompressedBatchWithoutModifyingIt() {
        MemoryRecords records = batch().records(5).compression(Compression.gzip().build()).build();
        byte[] before = Arrays.copyOf(records.buffer().array(), records.sizeInBytes());

        assertThat(RecordBatchValidator.validate(records, config(), NOW, "orders-0")).hasSize(1);

        assertThat(Arrays.copyOf(records.buffer().array(), records.sizeInBytes())).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(bytes = {RecordBatch.MAGIC_VALUE_V0, RecordBatch.MAGIC_VALUE_V1})
    void rejectsLegacyMagic(byte magic) {
        assertThat(errorOf(batch().magic(magic).records(2).build(), config()))
                .isEqualTo(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    }

    @Test
    void badCrcIsCorruptMessage() {
        MemoryRecords records = batch().records(3).build();
        ByteBuffer buffer = records.buffer();
        int last = records.sizeInBytes() - 1;
        buffer.put(last, (byte) (buffer.get(last) ^ 0x5A));

        assertThat(errorOf(records, config())).isEqualTo(Errors.CORRUPT_MESSAGE);
    }

    @Test
    void batchOverMaxMessageBytesIsMessageTooLarge() {
        MemoryRecords records = batch().records(10).valueSize(200).build();

        assertThat(errorOf(records, config("max.message.bytes", String.valueOf(records.sizeInBytes() - 1))))
                .isEqualTo(Errors.MESSAGE_TOO_LARGE);
        assertThat(RecordBatchValidator.validate(records,
                config("max.message.bytes", String.valueOf(records.sizeInBytes())), NOW, "orders-0")).hasSize(1);
    }

    @Test
    void recordCountThatDisagreesWithTheOffsetDeltaIsInvalidRecord() {
        MemoryRecords records = batch().records(3).build();
        records.buffer().putInt(DefaultRecordBatch.RECORDS_COUNT_OFFSET, 7);
        fixCrc(records.buffer());

        assertThat(errorOf(records, config())).isEqualTo(Errors.INVALID_RECORD);
    }

    @Test
    void truncatedBatchIsCorruptMessage() {
        MemoryRecords whole = batch().records(3).build();
        ByteBuffer cut = ByteBuffer.wrap(Arrays.copyOf(whole.buffer().array(), whole.sizeInBytes() - 5));

        assertThat(errorOf(MemoryRecords.readableRecords(cut), config())).isEqualTo(Errors.CORRUPT_MESSAGE);
    }

    @Test
    void trailingGarbageAfterTheLastBatchIsCorruptMessage() {
        MemoryRecords whole = batch().records(3).build();
        ByteBuffer padded = ByteBuffer.wrap(Arrays.copyOf(whole.buffer().array(), whole.sizeInBytes() + 7));

        assertThat(errorOf(MemoryRecords.readableRecords(padded), config())).isEqualTo(Errors.CORRUPT_MESSAGE);
    }

    @Test
    void createTimeTooFarInThePastIsInvalidTimestamp() {
        LogConfig config = config("message.timestamp.before.max.ms", "3600000");

        // Every record's timestamp counts, as in Kafka (records at t and t + 1)
        assertThat(errorOf(batch().timestamp(NOW - 3_600_001).records(2).build(), config))
                .isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(RecordBatchValidator.validate(batch().timestamp(NOW - 3_600_000).records(2).build(),
                config, NOW, "orders-0")).hasSize(1);
    }

    @Test
    void createTimeTooFarInTheFutureIsInvalidTimestamp() {
        LogConfig config = config("message.timestamp.after.max.ms", "60000");

        assertThat(errorOf(batch().timestamp(NOW + 60_001).records(1).build(), config))
                .isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(RecordBatchValidator.validate(batch().timestamp(NOW + 60_000).records(1).build(),
                config, NOW, "orders-0")).hasSize(1);
    }

    @Test
    void timestampLimitsDoNotApplyUnderLogAppendTime() {
        LogConfig config = config("message.timestamp.type", "LogAppendTime",
                "message.timestamp.before.max.ms", "1000");

        assertThat(RecordBatchValidator.validate(batch().timestamp(0).build(), config, NOW, "orders-0")).hasSize(1);
    }

    @Test
    void idempotentBatchesAreAcceptedButTransactionalOnesAreNot() {
        MemoryRecords idempotent = batch().producer(7, (short) 0, 0).records(2).build();
        MemoryRecords transactional = MemoryRecords.withTransactionalRecords(Compression.NONE, 7, (short) 0, 0,
                new org.apache.kafka.common.record.SimpleRecord(NOW, "v".getBytes()));

        assertThat(RecordBatchValidator.validate(idempotent, config(), NOW, "orders-0")).hasSize(1);
        assertThat(errorOf(transactional, config())).isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void aRequestLargerThanSegmentBytesIsRecordListTooLargeEvenWhenEachBatchFits() {
        MemoryRecords request = RecordBatches.concat(batch().records(1).valueSize(600).build(),
                batch().records(1).valueSize(600).build());

        assertThat(errorOf(request, config("segment.bytes", "1024"))).isEqualTo(Errors.RECORD_LIST_TOO_LARGE);
    }
}
