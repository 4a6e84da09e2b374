package io.strata.tiering.remote;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.RecordBatch;

/**
 * What the uploader learns from one pass over a sealed segment file before copying it: the CRC-32C
 * of its bytes, the first timestamp of its first batch, and its {@link SegmentSidecar} (one offset
 * and time entry per {@code intervalBytes} of batches, and always one for the first batch).
 *
 * @param sizeBytes            the bytes covered by the checksum and the sidecar
 * @param maxTimestamp         the greatest record timestamp, {@code -1} if none
 * @param offsetOfMaxTimestamp the offset of the first record carrying {@code maxTimestamp}, {@code -1} if none
 */
public record ScannedSegment(long sizeBytes, int crc32c, long firstTimestamp, long maxTimestamp,
                             long offsetOfMaxTimestamp, SegmentSidecar sidecar) {

    /** Byte position of {@code baseTimestamp} in a magic v2 batch header (Kafka's DefaultRecordBatch layout). */
    private static final int BASE_TIMESTAMP_POSITION = 27;
    private static final int READ_CHUNK = 1 << 20;

    /**
     * Scans the first {@code sizeBytes} of {@code file}, the segment starting at {@code baseOffset} and
     * ending before {@code nextOffset}.
     */
    public static ScannedSegment scan(Path file, long baseOffset, long nextOffset, long sizeBytes, int intervalBytes)
            throws IOException {
        int crc = checksum(file, sizeBytes);
        List<SegmentSidecar.OffsetEntry> offsets = new ArrayList<>();
        List<SegmentSidecar.TimeEntry> times = new ArrayList<>();
        long firstTimestamp = RecordBatch.NO_TIMESTAMP;
        try (FileRecords records = FileRecords.open(file.toFile(), false, true, 0, false)) {
            FileRecords slice = records.slice(0, Math.toIntExact(sizeBytes));
            long runningMax = RecordBatch.NO_TIMESTAMP;
            long sinceLastEntry = 0;
            boolean first = true;
            FileChannelRecordBatch maxBatch = null;
            for (FileChannelRecordBatch batch : slice.batches()) {
                if (batch.maxTimestamp() > runningMax) {
                    maxBatch = batch;
                }
                runningMax = Math.max(runningMax, batch.maxTimestamp());
                if (first) {
                    firstTimestamp = readLong(records.channel(), batch.position() + BASE_TIMESTAMP_POSITION);
                }
                if (first || sinceLastEntry >= intervalBytes) {
                    offsets.add(new SegmentSidecar.OffsetEntry(batch.baseOffset(), batch.position()));
                    times.add(new SegmentSidecar.TimeEntry(runningMax, batch.lastOffset()));
                    sinceLastEntry = 0;
                    first = false;
                }
                sinceLastEntry += batch.sizeInBytes();
            }
            long offsetOfMax = maxBatch == null ? -1 : offsetOf(maxBatch, runningMax);
            SegmentSidecar sidecar = new SegmentSidecar(baseOffset, nextOffset, intervalBytes, offsets, times);
            return new ScannedSegment(sizeBytes, crc, firstTimestamp, runningMax, offsetOfMax, sidecar);
        }
    }

    /** The offset of the first record of {@code batch} whose timestamp is {@code timestamp}. */
    private static long offsetOf(FileChannelRecordBatch batch, long timestamp) {
        if (batch.timestampType() == org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME) {
            return batch.baseOffset();
        }
        for (org.apache.kafka.common.record.Record record : batch) {
            if (record.timestamp() == timestamp) {
                return record.offset();
            }
        }
        return batch.lastOffset();
    }

    /** CRC-32C of the first {@code length} bytes of {@code file}. */
    public static int checksum(Path file, long length) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_CHUNK);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long position = 0;
            while (position < length) {
                buffer.clear().limit((int) Math.min(READ_CHUNK, length - position));
                int read = channel.read(buffer, position);
                if (read < 0) {
                    throw new IOException(file + " is shorter than " + length + " bytes");
                }
                buffer.flip();
                crc.update(buffer);
                position += read;
            }
        }
        return (int) crc.getValue();
    }

    private static long readLong(FileChannel channel, long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("segment ends inside a batch header");
            }
        }
        return buffer.flip().getLong();
    }
}
