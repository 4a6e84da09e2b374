package io.strata.tiering.log;

import io.strata.index.SegmentRecord;
import io.strata.index.SegmentState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.FileRecords.LogOffsetPosition;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;

/**
 * One segment file of a partition: Kafka record batches (magic v2) back to back, byte for byte
 * what an Apache Kafka broker writes to a {@code .log} file, so Kafka's {@code kafka-dump-log} reads it.
 *
 * <pre>
 *   00000000000000000000.log
 *   +--------------------------------------+--------------------------------------+---
 *   | batch: baseOffset=0  lastOffsetDelta=2| batch: baseOffset=3  lastOffsetDelta=0| ...
 *   | length, leaderEpoch, magic=2, crc,   | (61-byte header, then records,        |
 *   | attributes, ..., records[3]          |  compressed as the producer sent them)|
 *   +--------------------------------------+--------------------------------------+---
 *   position 0                              position = size of the first batch
 * </pre>
 *
 * <p>The byte layout itself is Kafka's ({@link org.apache.kafka.common.record.DefaultRecordBatch});
 * this class adds the in-memory statistics the catalog keeps (next offset, max timestamp and its
 * offset). Thread-safety: appends, truncation and flushes are serialized by the owning
 * {@link PartitionLog}; reads may run concurrently with an append, as positional reads of bytes
 * the caller knows to be complete.
 */
final class LogSegment implements AutoCloseable {

    private final long baseOffset;
    private final long createdMs;
    private final FileRecords records;
    /** This segment's hold on its file; responses being sent from the file hold it too ({@link OpenSegmentFiles}). */
    private final OpenSegmentFiles.Owner file;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set once the segment leaves the log ({@link #markDeleted}): its bytes no longer need syncing. */
    private volatile boolean deleted;
    private volatile long nextOffset;
    private volatile long maxTimestamp;
    private volatile long offsetOfMaxTimestamp;

    private LogSegment(long baseOffset, long createdMs, FileRecords records, long nextOffset, long maxTimestamp,
                       long offsetOfMaxTimestamp) {
        this.baseOffset = baseOffset;
        this.createdMs = createdMs;
        this.records = records;
        this.file = OpenSegmentFiles.register(records);
        this.nextOffset = nextOffset;
        this.maxTimestamp = maxTimestamp;
        this.offsetOfMaxTimestamp = offsetOfMaxTimestamp;
    }

    /** Creates a new, empty segment file and syncs the directory, so that the file's name survives a power loss. */
    static LogSegment create(Path partitionDir, long baseOffset, long nowMs) throws IOException {
        Path file = SegmentFiles.path(partitionDir, baseOffset);
        Files.deleteIfExists(file);
        FileRecords records = FileRecords.open(file.toFile(), true, false, 0, false);
        try {
            Fsync.directory(partitionDir);
        } catch (IOException e) {
            records.closeHandlers();
            throw e;
        }
        return new LogSegment(baseOffset, nowMs, records, baseOffset, RecordBatch.NO_TIMESTAMP, -1);
    }

    /** Opens an existing segment with statistics known from the catalog. */
    static LogSegment open(Path partitionDir, SegmentRecord known) throws IOException {
        FileRecords records = FileRecords.open(SegmentFiles.path(partitionDir, known.baseOffset()).toFile(),
                true, true, 0, false);
        return new LogSegment(known.baseOffset(), known.createdMs(), records, known.nextOffset(),
                known.maxTimestamp(), known.offsetOfMaxTimestamp());
    }

    /** Opens an existing segment whose statistics will be rebuilt by recovery. */
    static LogSegment openForRecovery(Path file, long baseOffset, long createdMs) throws IOException {
        FileRecords records = FileRecords.open(file.toFile(), true, true, 0, false);
        return new LogSegment(baseOffset, createdMs, records, baseOffset, RecordBatch.NO_TIMESTAMP, -1);
    }

    long baseOffset() {
        return baseOffset;
    }

    long nextOffset() {
        return nextOffset;
    }

    long createdMs() {
        return createdMs;
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long offsetOfMaxTimestamp() {
        return offsetOfMaxTimestamp;
    }

    int sizeInBytes() {
        return records.sizeInBytes();
    }

    boolean isEmpty() {
        return records.sizeInBytes() == 0;
    }

    FileRecords fileRecords() {
        return records;
    }

    Path file() {
        return records.file().toPath();
    }

    /**
     * Appends batches whose offsets are already assigned, starting at the current end of the file.
     *
     * @return the position the first appended batch starts at
     */
    int append(MemoryRecords batches) throws IOException {
        int position = records.sizeInBytes();
        records.append(batches);
        for (RecordBatch batch : batches.batches()) {
            observe(batch);
        }
        return position;
    }

    /** The size and statistics of the segment now, to roll an append back to with {@link #rollBackTo}. */
    Mark mark() {
        return new Mark(records.sizeInBytes(), nextOffset, maxTimestamp, offsetOfMaxTimestamp);
    }

    /**
     * Undoes everything appended since {@code mark}: cuts the file back to its size then (also any
     * bytes a failed write left beyond it) and restores the statistics.
     */
    void rollBackTo(Mark mark) throws IOException {
        records.truncateTo(mark.sizeInBytes());
        nextOffset = mark.nextOffset();
        maxTimestamp = mark.maxTimestamp();
        offsetOfMaxTimestamp = mark.offsetOfMaxTimestamp();
    }

    /** A point to roll an append back to. */
    record Mark(int sizeInBytes, long nextOffset, long maxTimestamp, long offsetOfMaxTimestamp) {
    }

    /** Updates the statistics with a batch that is now part of the segment (append or recovery). */
    void observe(RecordBatch batch) {
        if (batch.maxTimestamp() > maxTimestamp) {
            maxTimestamp = batch.maxTimestamp();
            offsetOfMaxTimestamp = batch.lastOffset();
        }
        nextOffset = batch.nextOffset();
    }

    /**
     * The first batch whose last offset is {@code >= offset}, scanning batch headers from
     * {@code startPosition} and stopping at {@code endPosition}.
     */
    Optional<LogOffsetPosition> findBatch(long offset, int startPosition, int endPosition) {
        LogOffsetPosition found = records.searchForOffsetFromPosition(offset, startPosition);
        if (found == null || found.position >= endPosition) {
            return Optional.empty();
        }
        return Optional.of(found);
    }

    /** The first record at or after {@code startOffset} with a timestamp {@code >= timestamp}. */
    Optional<TimestampAndOffset> findByTimestamp(long timestamp, int startPosition, long startOffset) {
        return Optional.ofNullable(records.searchForTimestamp(timestamp, startPosition, startOffset));
    }

    /**
     * A read-only view of {@code length} bytes at {@code position}, sharing the file: nothing is read
     * until it is sent. The bytes stay valid while the file is open (a deleted segment's file is
     * closed only after {@code file.delete.delay.ms}; any segment's file stays open for
     * {@link OpenSegmentFiles#SLICE_GRACE_MS} after its last slice, and while a response being sent
     * from it holds it through {@link OpenSegmentFiles}).
     */
    FileRecords slice(int position, int length) throws IOException {
        file.sliced();
        return records.slice(position, length);
    }

    /** Reads {@code length} bytes at {@code position}. */
    ByteBuffer read(int position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        records.readInto(buffer, position);
        return buffer;
    }

    /**
     * Fsyncs the file; a failure is a {@link java.io.SyncFailedException} ({@link Fsync}). A segment already
     * deleted or closed needs none (its bytes are being thrown away, or {@link #close()} synced them), so a
     * background fsync queued before its deletion is skipped, even if its channel closed meanwhile.
     */
    void flush() throws IOException {
        if (deleted || closed.get()) {
            return;
        }
        try {
            Fsync.file(records.channel(), file());
        } catch (java.io.SyncFailedException e) {
            if ((deleted || closed.get()) && e.getCause() instanceof java.nio.channels.ClosedChannelException) {
                return;
            }
            throw e;
        }
    }

    /** Cuts the file at {@code size} bytes; statistics must be rebuilt by the caller. */
    void truncateTo(int size) throws IOException {
        records.truncateTo(size);
    }

    void resetStatistics() {
        nextOffset = baseOffset;
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestamp = -1;
    }

    SegmentRecord toRecord(SegmentState state) {
        return new SegmentRecord(baseOffset, nextOffset, sizeInBytes(), maxTimestamp, offsetOfMaxTimestamp,
                createdMs, state);
    }

    /**
     * Renames the file to {@code *.log.deleted} and syncs the directory; reads through this object keep
     * working until {@link #close()}.
     */
    void markDeleted() throws IOException {
        deleted = true;
        Path file = file();
        records.renameTo(file.resolveSibling(file.getFileName() + SegmentFiles.DELETED_SUFFIX).toFile());
        Fsync.directory(file.getParent());
    }

    /**
     * Deletes the file on disk, then syncs the directory; a response still being sent from it keeps reading it
     * until done (the channel is closed by {@link #close()}, once no response holds it).
     */
    void deleteFile() throws IOException {
        Path file = file();
        if (Files.deleteIfExists(file)) {
            Fsync.directory(file.getParent());
        }
    }

    /**
     * Flushes the file and lets go of it: it is closed now, or when the last response being sent from it is
     * done, and not before {@link OpenSegmentFiles#SLICE_GRACE_MS} after the last slice handed out. Reads through this segment fail afterwards; closing twice is harmless.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            records.flush();
        } finally {
            file.release();
        }
    }

    @Override
    public String toString() {
        return "LogSegment(base=" + baseOffset + ", next=" + nextOffset + ", size=" + sizeInBytes() + ")";
    }
}
