package io.strata.tiering.log;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.DefaultRecord;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.PartialDefaultRecord;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.BufferSupplier;

/**
 * Reads every record of one magic v2 batch, compressed or not, as Apache Kafka's {@code LogValidator} does
 * on produce, without keeping keys, values or headers: kafka-clients' codec
 * ({@link Compression#wrapForInput}; for an uncompressed batch, the bytes as they are) turns the batch's
 * records section into a stream and
 * {@link DefaultRecord#readPartiallyFrom} parses each record from it, skipping its key, value and
 * headers. The inflated stream is cut off once it has produced {@code maxUncompressedBytes}, so a
 * decompression bomb costs at most that much inflating, and memory stays at the codec's buffers
 * whatever sizes the records claim.
 *
 * <p>What it checks, and the kafka-clients exception (Kafka error) for each failure:
 * <ul>
 *   <li>the codec cannot inflate the records of a compressed batch (bad magic, bad block checksum, garbage) →
 *       {@link CorruptRecordException} ({@code CORRUPT_MESSAGE});</li>
 *   <li>the records end before the header's record count, or go on after it; a record whose length
 *       prefix disagrees with the bytes its fields take; a negative header count or header key size;
 *       offset deltas other than {@code 0, 1, ..., count-1} → {@link InvalidRecordException}
 *       ({@code INVALID_RECORD});</li>
 *   <li>more than {@code maxUncompressedBytes} of inflated records → {@link RecordTooLargeException}
 *       ({@code MESSAGE_TOO_LARGE}).</li>
 * </ul>
 * An uncompressed batch is read too: its CRC only proves the bytes arrived as the client computed them, not
 * that they are records a consumer can read (a client may compute a valid CRC over malformed records).
 *
 * <p>Stateless and thread-safe; each thread keeps its own {@link BufferSupplier}, so the codecs'
 * buffers are reused from one batch to the next.
 */
public final class BatchRecordsValidator {

    private static final ThreadLocal<BufferSupplier> BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

    private BatchRecordsValidator() {
    }

    /**
     * What the records of a checked batch hold.
     *
     * @param minTimestamp the smallest record timestamp, {@link RecordBatch#NO_TIMESTAMP} if none
     * @param maxTimestamp the greatest record timestamp, {@link RecordBatch#NO_TIMESTAMP} if none
     */
    public record Contents(int records, long uncompressedBytes, long minTimestamp, long maxTimestamp) {
    }

    /**
     * Reads and checks every record of the batch whose bytes start at
     * {@code batchBytes.position()} (the batch header included).
     *
     * @param where names the batch's partition in exception messages
     * @throws CorruptRecordException, InvalidRecordException, RecordTooLargeException as listed above
     */
    public static Contents validate(ByteBuffer batchBytes, long maxUncompressedBytes, String where) {
        DefaultRecordBatch batch = (DefaultRecordBatch) MemoryRecords.readableRecords(batchBytes.slice()).firstBatch();
        if (batch == null || batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
            throw new IllegalArgumentException("not one magic v2 batch");
        }
        String what = (batch.isCompressed() ? batch.compressionType().name : "uncompressed") + " batch at offsets "
                + batch.baseOffset() + ".." + batch.lastOffset() + " on " + where;
        ByteBuffer records = batchBytes.slice(batchBytes.position() + DefaultRecordBatch.RECORD_BATCH_OVERHEAD,
                batch.sizeInBytes() - DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        BufferSupplier buffers = BUFFERS.get();
        try (BoundedStream in = new BoundedStream(Compression.of(batch.compressionType()).build()
                .wrapForInput(records, RecordBatch.MAGIC_VALUE_V2, buffers), maxUncompressedBytes, what)) {
            return readAll(batch, in, what);
        } catch (InvalidRecordException e) {
            throw new InvalidRecordException("Invalid records in " + what + ": " + e.getMessage());
        } catch (RecordTooLargeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptRecordException("Records of " + what + " cannot be read: " + reason(e));
        } catch (Error e) {
            throw corruptInputOrRethrow(e, "Records of " + what + " cannot be read: ");
        }
    }

    /**
     * A codec's {@link Error} about its input (snappy-java signals a corrupt chunk with {@code SnappyError}) as a
     * {@link CorruptRecordException} with {@code message} before its reason; the JVM's own errors (out of memory, a
     * native library that cannot load) are rethrown as they are.
     */
    public static CorruptRecordException corruptInputOrRethrow(Error e, String message) {
        if (e instanceof VirtualMachineError || e instanceof LinkageError) {
            throw e;
        }
        return new CorruptRecordException(message + reason(e));
    }

    private static Contents readAll(DefaultRecordBatch batch, BoundedStream in, String what) throws IOException {
        int count = batch.countOrNull();
        Long logAppendTime = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : null;
        long min = Long.MAX_VALUE;
        long max = RecordBatch.NO_TIMESTAMP;
        for (int i = 0; i < count; i++) {
            long before = in.bytesRead();
            PartialDefaultRecord record;
            try {
                record = DefaultRecord.readPartiallyFrom(in, batch.baseOffset(), batch.baseTimestamp(),
                        batch.baseSequence(), logAppendTime);
            } catch (EOFException e) {
                throw new InvalidRecordException("the header declares " + count + " records but the records end"
                        + " inside record " + i);
            }
            if (in.bytesRead() - before != record.sizeInBytes()) {
                throw new InvalidRecordException("record " + i + " declares " + record.sizeInBytes()
                        + " bytes but its fields take " + (in.bytesRead() - before));
            }
            if (record.offset() != batch.baseOffset() + i) {
                throw new InvalidRecordException("record " + i + " has offset delta "
                        + (record.offset() - batch.baseOffset()) + ", expected " + i);
            }
            if (record.timestamp() != RecordBatch.NO_TIMESTAMP) {
                min = Math.min(min, record.timestamp());
                max = Math.max(max, record.timestamp());
            }
        }
        if (!in.atEnd()) {
            throw new InvalidRecordException("the records go on after the " + count + " the header declares");
        }
        return new Contents(count, in.bytesRead(), min == Long.MAX_VALUE ? RecordBatch.NO_TIMESTAMP : min, max);
    }

    /** Why a batch could not be read, for log lines and reports: the root cause's type and message. */
    public static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /**
     * The inflated records: counts the bytes read or skipped, refuses to go past the limit, and reports
     * an early end as {@link EOFException} (the varint readers would otherwise take {@code -1} for a byte).
     */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private final long limit;
        private final String what;
        private long read;

        BoundedStream(InputStream in, long limit, String what) {
            this.in = in;
            this.limit = limit;
            this.what = what;
        }

        long bytesRead() {
            return read;
        }

        boolean atEnd() throws IOException {
            return in.read() < 0;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            count(1);
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int n = in.read(bytes, offset, (int) Math.min(length, limit - read + 1));
            if (n < 0) {
                throw new EOFException();
            }
            count(n);
            return n;
        }

        /** Skips inside the codec's stream (lz4 and zstd skip without copying); at its end, EOFException. */
        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) {
                return 0;
            }
            long skipped = in.skip(Math.min(n, limit - read + 1));
            if (skipped <= 0) {
                read(); // one byte, or EOFException at the end
                return 1;
            }
            count(skipped);
            return skipped;
        }

        private void count(long n) {
            read += n;
            if (read > limit) {
                throw new RecordTooLargeException("The records of " + what + " decompress to more than " + limit
                        + " bytes");
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
