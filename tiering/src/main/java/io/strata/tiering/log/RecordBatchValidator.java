package io.strata.tiering.log;

import io.strata.tiering.config.LogConfig;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedCompressionTypeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the record batches of one produce request for one partition before anything is appended.
 * Each failure is the kafka-clients exception whose error code real clients understand:
 * <ul>
 *   <li>not magic v2 → {@code UNSUPPORTED_FOR_MESSAGE_FORMAT}; a compression type id no codec has →
 *       {@code UNSUPPORTED_COMPRESSION_TYPE};</li>
 *   <li>bad CRC, a length that does not add up, trailing bytes → {@code CORRUPT_MESSAGE};</li>
 *   <li>a batch over {@code max.message.bytes} → {@code MESSAGE_TOO_LARGE}; the request's batches
 *       together over {@code segment.bytes} → {@code RECORD_LIST_TOO_LARGE};</li>
 *   <li>a record count that disagrees with the offset delta, a control batch from a client →
 *       {@code INVALID_RECORD};</li>
 *   <li>a transactional batch → {@code INVALID_TXN_STATE} (transactions are not supported yet);</li>
 *   <li>a CreateTime outside {@code message.timestamp.before/after.max.ms} → {@code INVALID_TIMESTAMP};</li>
 *   <li>every record of every batch is read by {@link BatchRecordsValidator} (as Kafka's {@code LogValidator}
 *       does; a client can compute a valid CRC over malformed records), a compressed batch's with at most
 *       {@value #INFLATION_LIMIT} × {@code max.message.bytes} inflated (Kafka's limit applies to the
 *       compressed batch, and producers with a large {@code batch.size} send batches whose records take
 *       many times that; the cap only bounds the work a decompression bomb costs)
 *       → {@code CORRUPT_MESSAGE} when the codec cannot read it,
 *       {@code INVALID_RECORD} when its records disagree with its header, {@code MESSAGE_TOO_LARGE}
 *       beyond the limit; each refusal is logged. The timestamp limits then apply to every record.</li>
 * </ul>
 * Stateless and thread-safe.
 */
final class RecordBatchValidator {

    private static final Logger LOGGER = LoggerFactory.getLogger(RecordBatchValidator.class);
    /** How many times {@code max.message.bytes} the records of one compressed batch may inflate to. */
    static final int INFLATION_LIMIT = 64;

    private RecordBatchValidator() {
    }

    /** Validates and returns the batches, in order. Nothing is modified. */
    static List<MutableRecordBatch> validate(MemoryRecords records, LogConfig config, long nowMs, String partition) {
        List<MutableRecordBatch> batches = new ArrayList<>(1);
        ByteBuffer buffer = records.buffer();
        int validBytes = 0;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new UnsupportedForMessageFormatException("Record batch magic " + batch.magic()
                        + " is not supported on " + partition + "; only magic v2 (Kafka 0.11+) is accepted");
            }
            int size = batch.sizeInBytes();
            if (size > config.maxMessageBytes()) {
                throw new RecordTooLargeException("Record batch of " + size + " bytes exceeds max.message.bytes="
                        + config.maxMessageBytes() + " on " + partition);
            }
            try {
                batch.compressionType();
            } catch (IllegalArgumentException e) { // attributes naming no codec Kafka knows
                throw new UnsupportedCompressionTypeException("Record batch on " + partition + ": " + e.getMessage());
            }
            try {
                batch.ensureValid();
            } catch (CorruptRecordException e) {
                throw new CorruptRecordException("Corrupt record batch on " + partition + ": " + e.getMessage());
            }
            Integer count = batch.countOrNull();
            if (count == null || count <= 0 || batch.lastOffset() - batch.baseOffset() != count - 1) {
                throw new InvalidRecordException("Record batch on " + partition + " declares " + count
                        + " records but an offset delta of " + (batch.lastOffset() - batch.baseOffset()));
            }
            if (batch.isControlBatch()) {
                throw new InvalidRecordException("Clients may not send control batches (" + partition + ")");
            }
            if (batch.isTransactional()) {
                throw new InvalidTxnStateException("Transactional produce is not supported by Strata yet ("
                        + partition + ")");
            }
            long minTimestamp = readRecords(buffer.duplicate().position(buffer.position() + validBytes), config,
                    partition).minTimestamp();
            checkTimestamp(batch, minTimestamp, config, nowMs, partition);
            validBytes += size;
            batches.add(batch);
        }
        if (validBytes != records.sizeInBytes()) {
            throw new CorruptRecordException("Produce data for " + partition + " has " + records.sizeInBytes()
                    + " bytes but its record batches account for " + validBytes);
        }
        if (validBytes > config.segmentBytes()) {
            // The batches of one request go into one segment, so together they must fit in one (as in Kafka).
            throw new RecordBatchTooLargeException("Record batches of " + validBytes + " bytes in one request exceed"
                    + " segment.bytes=" + config.segmentBytes() + " on " + partition);
        }
        return batches;
    }

    /** Reads every record of the batch at {@code batchBytes}' position; logs and rethrows a refusal. */
    private static BatchRecordsValidator.Contents readRecords(ByteBuffer batchBytes, LogConfig config,
                                                                 String partition) {
        try {
            return BatchRecordsValidator.validate(batchBytes, (long) INFLATION_LIMIT * config.maxMessageBytes(),
                    partition);
        } catch (CorruptRecordException | InvalidRecordException | RecordTooLargeException e) {
            LOGGER.warn("Refused a produced batch: {}", e.getMessage());
            throw e;
        }
    }

    /**
     * Checks the batch's greatest timestamp and {@code minTimestamp} (its smallest record timestamp when its
     * records were read, else the greatest again) against the limits.
     */
    private static void checkTimestamp(RecordBatch batch, long minTimestamp, LogConfig config, long nowMs,
                                       String partition) {
        if (config.timestampType() != TimestampType.CREATE_TIME
                || batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
            return;
        }
        long timestamp = batch.maxTimestamp();
        if (timestamp == RecordBatch.NO_TIMESTAMP) {
            return;
        }
        long oldest = minTimestamp == RecordBatch.NO_TIMESTAMP ? timestamp : minTimestamp;
        if (oldest < nowMs && nowMs - oldest > config.timestampBeforeMaxMs()) {
            throw new InvalidTimestampException("Timestamp " + oldest + " on " + partition
                    + " is more than message.timestamp.before.max.ms=" + config.timestampBeforeMaxMs()
                    + " before the broker's time " + nowMs);
        }
        if (timestamp > nowMs && timestamp - nowMs > config.timestampAfterMaxMs()) {
            throw new InvalidTimestampException("Timestamp " + timestamp + " on " + partition
                    + " is more than message.timestamp.after.max.ms=" + config.timestampAfterMaxMs()
                    + " after the broker's time " + nowMs);
        }
    }
}
