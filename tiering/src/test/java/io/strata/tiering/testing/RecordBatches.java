package io.strata.tiering.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;

/**
 * Builds the record batches a producer would send, with kafka-clients' {@link MemoryRecordsBuilder}:
 * base offset 0, CreateTime, one timestamp per record ({@code firstTimestamp + i}), values of
 * {@code valueSize} pseudo-random (incompressible) bytes prefixed with the record's index.
 *
 * <pre>
 *   MemoryRecords batch = RecordBatches.batch().records(10).timestamp(t).compression(Compression.zstd().build()).build();
 * </pre>
 * Not thread-safe; a new builder per batch.
 */
public final class RecordBatches {

    private int records = 1;
    private long firstTimestamp = MutableClock.DEFAULT_START_MS;
    private int valueSize = 16;
    private Compression compression = Compression.NONE;
    private byte magic = RecordBatch.CURRENT_MAGIC_VALUE;
    private long producerId = RecordBatch.NO_PRODUCER_ID;
    private short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
    private int baseSequence = RecordBatch.NO_SEQUENCE;

    private RecordBatches() {
    }

    public static RecordBatches batch() {
        return new RecordBatches();
    }

    public RecordBatches records(int count) {
        this.records = count;
        return this;
    }

    /** Timestamp of the first record; record {@code i} gets {@code firstTimestamp + i}. */
    public RecordBatches timestamp(long firstTimestamp) {
        this.firstTimestamp = firstTimestamp;
        return this;
    }

    public RecordBatches valueSize(int bytes) {
        this.valueSize = bytes;
        return this;
    }

    public RecordBatches compression(Compression compression) {
        this.compression = compression;
        return this;
    }

    public RecordBatches magic(byte magic) {
        this.magic = magic;
        return this;
    }

    /** Makes the batch idempotent: producer id, epoch and the sequence of its first record. */
    public RecordBatches producer(long id, short epoch, int baseSequence) {
        this.producerId = id;
        this.producerEpoch = epoch;
        this.baseSequence = baseSequence;
        return this;
    }

    public MemoryRecords build() {
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(1024, records * (valueSize + 64) + 128));
        Random random = new Random(firstTimestamp ^ records);
        boolean legacyV0 = magic == RecordBatch.MAGIC_VALUE_V0;
        try (MemoryRecordsBuilder builder = MemoryRecords.builder(buffer, magic, compression,
                legacyV0 ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME, 0L, RecordBatch.NO_TIMESTAMP, producerId, producerEpoch, baseSequence,
                false, RecordBatch.NO_PARTITION_LEADER_EPOCH)) {
            for (int i = 0; i < records; i++) {
                byte[] value = new byte[valueSize];
                random.nextBytes(value);
                byte[] prefix = ("r" + i + ":").getBytes(StandardCharsets.UTF_8);
                System.arraycopy(prefix, 0, value, 0, Math.min(prefix.length, value.length));
                builder.append(legacyV0 ? RecordBatch.NO_TIMESTAMP : firstTimestamp + i, ("k" + i).getBytes(StandardCharsets.UTF_8), value);
            }
            return builder.build();
        }
    }

    /** Several batches back to back, as one produce request carries them. */
    public static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords part : parts) {
            size += part.sizeInBytes();
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (MemoryRecords part : parts) {
            buffer.put(part.buffer().duplicate());
        }
        buffer.flip();
        return MemoryRecords.readableRecords(buffer);
    }

    /** An independent copy (appends rewrite batch headers in place, so a retry needs its own bytes). */
    public static MemoryRecords copy(MemoryRecords records) {
        return concat(records);
    }
}
