package io.strata.tiering.remote;

import io.strata.tiering.log.BatchRecordsValidator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.apache.kafka.common.utils.Utils;

/**
 * What the uploader learns from one pass over a sealed segment file before copying it: the CRC-32C
 * of its bytes, the first timestamp of its first batch, and its {@link SegmentSidecar} (one offset
 * entry per {@code intervalBytes} of batches and always one for the first batch; a time entry for
 * every record that raises the segment's running maximum timestamp), and the batches it could not read.
 *
 * <p>A segment written before the broker checked compressed records on produce may hold a batch whose
 * CRC is right but whose records cannot be decompressed. The scan never fails on one: the batch's time
 * entry then comes from its header (its max timestamp at its base offset, as for LogAppendTime), the
 * batch is listed in {@link #unreadable()}, and the segment is copied as it is. A batch whose header
 * itself cannot be parsed ends the scan: the rest of the segment is listed as one unreadable range.
 *
 * @param sizeBytes            the bytes covered by the checksum and the sidecar
 * @param maxTimestamp         the greatest record timestamp, {@code -1} if none
 * @param offsetOfMaxTimestamp the offset of the first record carrying {@code maxTimestamp}, {@code -1} if none
 * @param unreadable           the batches whose records could not be read, oldest first
 */
public record ScannedSegment(long sizeBytes, int crc32c, long firstTimestamp, long maxTimestamp,
                             long offsetOfMaxTimestamp, SegmentSidecar sidecar, List<UnreadableBatch> unreadable) {

    /** Offsets {@code baseOffset..lastOffset} of a segment that could not be read, and why. */
    public record UnreadableBatch(long baseOffset, long lastOffset, String reason) {
        @Override
        public String toString() {
            return "offsets " + baseOffset + ".." + lastOffset + ": " + reason;
        }
    }

    /** Byte position of {@code baseTimestamp} in a magic v2 batch header (Kafka's DefaultRecordBatch layout). */
    private static final int BASE_TIMESTAMP_POSITION = 27;
    private static final int READ_CHUNK = 1 << 20;

    /**
     * Scans the first {@code sizeBytes} of {@code file}, the segment starting at {@code baseOffset} and
     * ending before {@code nextOffset}. The time entries are dense: one for every record that raises
     * the segment's running maximum timestamp (so the first record with a timestamp at or after any
     * {@code t} is the first entry whose timestamp is {@code >= t}); batches that do not raise it
     * are not decompressed.
     */
    public static ScannedSegment scan(Path file, long baseOffset, long nextOffset, long sizeBytes, int intervalBytes)
            throws IOException {
        int crc = checksum(file, sizeBytes);
        List<SegmentSidecar.OffsetEntry> offsets = new ArrayList<>();
        List<SegmentSidecar.TimeEntry> times = new ArrayList<>();
        List<UnreadableBatch> unreadable = new ArrayList<>();
        long firstTimestamp = RecordBatch.NO_TIMESTAMP;
        long offsetOfMax = -1;
        try (FileRecords records = FileRecords.open(file.toFile(), false, true, 0, false)) {
            FileRecords slice = records.slice(0, Math.toIntExact(sizeBytes));
            long runningMax = RecordBatch.NO_TIMESTAMP;
            long sinceLastEntry = 0;
            boolean first = true;
            long scannedEnd = baseOffset;
            Iterator<FileChannelRecordBatch> batches = slice.batches().iterator();
            while (true) {
                FileChannelRecordBatch batch;
                try {
                    if (!batches.hasNext()) {
                        break;
                    }
                    batch = batches.next();
                } catch (KafkaException e) { // a batch header that cannot be parsed: nothing after it can be
                    unreadable.add(new UnreadableBatch(scannedEnd, nextOffset - 1,
                            BatchRecordsValidator.reason(e)));
                    break;
                }
                scannedEnd = batch.nextOffset();
                if (first) {
                    firstTimestamp = readLong(records.channel(), batch.position() + BASE_TIMESTAMP_POSITION);
                }
                if (first || sinceLastEntry >= intervalBytes) {
                    offsets.add(new SegmentSidecar.OffsetEntry(batch.baseOffset(), batch.position()));
                    sinceLastEntry = 0;
                    first = false;
                }
                sinceLastEntry += batch.sizeInBytes();
                if (batch.maxTimestamp() > runningMax) {
                    runningMax = addRisingRecords(records.channel(), batch, runningMax, times, unreadable);
                    offsetOfMax = times.get(times.size() - 1).offset();
                }
            }
            SegmentSidecar sidecar = new SegmentSidecar(baseOffset, nextOffset, intervalBytes, offsets, times);
            return new ScannedSegment(sizeBytes, crc, firstTimestamp, runningMax, offsetOfMax, sidecar,
                    List.copyOf(unreadable));
        }
    }

    /**
     * Adds a time entry for each record of {@code batch} that raises {@code runningMax}, or one from the
     * batch header when its records cannot be read (then listed in {@code unreadable}); returns the new
     * maximum. Keys and values are skipped, so memory stays bounded whatever the records claim.
     */
    private static long addRisingRecords(FileChannel channel, FileChannelRecordBatch batch, long runningMax,
                                         List<SegmentSidecar.TimeEntry> times, List<UnreadableBatch> unreadable)
            throws IOException {
        if (batch.timestampType() != TimestampType.LOG_APPEND_TIME) {
            int entriesBefore = times.size();
            long max = runningMax;
            ByteBuffer bytes = ByteBuffer.allocate(batch.sizeInBytes());
            Utils.readFully(channel, bytes, batch.position());
            DefaultRecordBatch loaded = (DefaultRecordBatch) MemoryRecords.readableRecords(bytes.flip()).firstBatch();
            try (CloseableIterator<Record> records = loaded.skipKeyValueIterator(BufferSupplier.NO_CACHING)) {
                while (records.hasNext()) {
                    Record record = records.next();
                    if (record.timestamp() > max) {
                        max = record.timestamp();
                        times.add(new SegmentSidecar.TimeEntry(max, record.offset()));
                    }
                }
                return max;
            } catch (RuntimeException | Error e) { // the codecs' errors, InvalidRecordException, CorruptRecordException
                RuntimeException corrupt = e instanceof Error error
                        ? BatchRecordsValidator.corruptInputOrRethrow(error, "") : (RuntimeException) e;
                times.subList(entriesBefore, times.size()).clear();
                unreadable.add(new UnreadableBatch(batch.baseOffset(), batch.lastOffset(),
                        BatchRecordsValidator.reason(corrupt)));
            }
        }
        times.add(new SegmentSidecar.TimeEntry(batch.maxTimestamp(), batch.baseOffset()));
        return batch.maxTimestamp();
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
