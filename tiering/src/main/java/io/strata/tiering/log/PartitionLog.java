package io.strata.tiering.log;

import io.strata.index.BatchMetadata;
import io.strata.index.IndexBatch;
import io.strata.index.IndexStoreException;
import io.strata.index.OffsetPosition;
import io.strata.index.PartitionKey;
import io.strata.index.ProducerStateEntry;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.SegmentRecord;
import io.strata.index.SegmentState;
import io.strata.index.TimeEntry;
import io.strata.tiering.config.LogConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.FileRecords.LogOffsetPosition;
import org.apache.kafka.common.record.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local log of one partition: a directory of {@link LogSegment}s plus its entries in RocksDB
 * (segment catalog, sparse offset and time indexes, producer snapshot, log start and recovery point).
 *
 * <p>Appends assign offsets by rewriting each batch's header (base offset, partition leader epoch,
 * and under LogAppendTime the max timestamp and CRC); records are never re-compressed. The high
 * watermark is the log end: one broker is the whole ISR. It advances only after the append (and the
 * fsync that {@code flush.messages} may demand) completes, and readers see nothing above it.
 *
 * <p>Durability: an acknowledged append is in the operating system's page cache, which survives a
 * crash of the broker process but not of the machine. Segments are fsynced when they roll, when
 * {@code flush.messages} or {@code flush.ms} say so, and at shutdown; each fsync is followed by a
 * synced checkpoint of the recovery point and the producer snapshot. After a crash,
 * {@link LogRecovery} re-validates everything above the recovery point.
 *
 * <p>An append writes nothing to RocksDB: the index entries of its batches wait in memory
 * ({@link SegmentIndexer}) and go to RocksDB in one write batch with the next checkpoint, roll or close,
 * before the log start moves, or once {@link SegmentIndexer#MAX_PENDING_ENTRIES} wait. Lookups see both.
 *
 * <p>An append is all or nothing: the bytes, their index entries and the fsync {@code flush.messages}
 * asks for either all succeed, and only then are the producer state and the log end updated, or the
 * segment file is cut back to its previous size. Any storage failure (a failed write, read, fsync or
 * RocksDB write) also takes the partition, or for an fsync or RocksDB failure the whole log
 * directory, offline ({@link LogDirHealth}): it answers {@code KAFKA_STORAGE_ERROR} until the broker
 * restarts, and a failed fsync is never retried.
 *
 * <p>Thread-safety: appends, rolls, retention and close are serialized by one lock; reads and
 * offset lookups run concurrently without it, against the published {@link LogEnd}.
 */
public final class PartitionLog implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(PartitionLog.class);
    static final long PRODUCER_ID_EXPIRATION_MS = TimeUnit.DAYS.toMillis(1);

    private final TopicPartition topicPartition;
    private final PartitionKey key;
    private final Path directory;
    private final RocksDbIndexStore store;
    private final Clock clock;
    private final Executor background;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ProducerStateManager producers;
    private final SegmentIndexer indexer;
    private final LogCheckpointer checkpointer;
    private final LogDirHealth health;

    private volatile LogConfig config;
    private volatile LogSegment active;
    private volatile LogEnd end;
    private volatile long logStartOffset;
    private long unflushedMessages;
    private long lastFlushMs;
    private boolean closed;
    /** Appends are refused: the log's end is a hand-over's end ({@link #sealForHandOff}). Under the lock. */
    private boolean sealedForHandOff;
    /** Stamped into every appended batch ({@link #setLeaderEpoch}); 0 in single-broker mode. */
    private volatile int leaderEpoch;
    /** The offsets that live only in the bucket: detached until {@link #attachRemote}. */
    private final RemotePart remote;
    private final SegmentSearch search;
    /** The high watermark; with a write-ahead log, the committed end ({@link #attachWal}). */
    private final CommittedEnd committed;
    /** The write-ahead log appends go to, or null (each append is committed once written locally). */
    private volatile WalSink wal;

    PartitionLog(TopicPartition topicPartition, PartitionKey key, Path directory, RocksDbIndexStore store,
                 LogConfig config, Clock clock, Executor background, LogRecovery.Recovered recovered,
                 LogDirHealth health) {
        this.topicPartition = topicPartition;
        this.key = key;
        this.directory = directory;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.background = background;
        this.segments = recovered.segments();
        this.producers = recovered.producers();
        this.indexer = recovered.indexer();
        this.active = segments.lastEntry().getValue();
        this.logStartOffset = recovered.logStartOffset();
        this.health = health;
        this.checkpointer = new LogCheckpointer(topicPartition, key, store, background, () -> logStartOffset,
                recovered.recoveryPoint(), health);
        this.end = new LogEnd(active.nextOffset(), active.baseOffset(), active.sizeInBytes());
        this.committed = new CommittedEnd(topicPartition, end);
        this.lastFlushMs = clock.millis();
        this.remote = new RemotePart(topicPartition, key, store);
        this.search = new SegmentSearch(key, store, segments, remote, indexer.pending());
    }

    /**
     * Opens the log in {@code directory}, creating it if new and recovering it if the broker did not
     * shut down cleanly.
     */
    public static PartitionLog open(TopicPartition topicPartition, PartitionKey key, Path directory,
                                    RocksDbIndexStore store, LogConfig config, Clock clock, Executor background,
                                    boolean cleanShutdown) {
        return open(topicPartition, key, directory, store, config, clock, background, cleanShutdown,
                new LogDirHealth(directory));
    }

    /** As above, reporting storage failures to {@code health}, which the log directory's partitions share. */
    public static PartitionLog open(TopicPartition topicPartition, PartitionKey key, Path directory,
                                    RocksDbIndexStore store, LogConfig config, Clock clock, Executor background,
                                    boolean cleanShutdown, LogDirHealth health) {
        LogRecovery.Recovered recovered = new LogRecovery(topicPartition, key, directory, store, config, clock)
                .recover(cleanShutdown);
        return new PartitionLog(topicPartition, key, directory, store, config, clock, background, recovered, health);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public LogConfig config() {
        return config;
    }

    public void updateConfig(LogConfig newConfig) {
        lock.lock();
        try {
            this.config = newConfig;
            indexer.setIndexIntervalBytes(newConfig.indexIntervalBytes());
        } finally {
            lock.unlock();
        }
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    /**
     * Sets the leader epoch that appends from now on stamp into each batch's partition leader epoch field
     * (Kafka's {@code partitionLeaderEpoch}). Batches already appended keep theirs. In single-broker mode it
     * stays 0.
     */
    public void setLeaderEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("leader epoch must be >= 0: " + epoch);
        }
        lock.lock();
        try {
            this.leaderEpoch = epoch; // under the append lock: no append straddles the change
        } finally {
            lock.unlock();
        }
    }

    /** The leader epoch appends stamp into their batches; 0 unless {@link #setLeaderEpoch} was called. */
    public int leaderEpoch() {
        return leaderEpoch;
    }

    /**
     * One past the last committed record; consumers read below it. Without a write-ahead log, the log end; with one,
     * the end of what the WAL committed (CLUSTER.md invariant 3).
     */
    public long highWatermark() {
        return committed.visible().offset();
    }

    /** One past the last appended record (committed or not). */
    public long logEndOffset() {
        return end.offset();
    }

    /**
     * From now on every append goes to {@code sink} too and counts as committed only when it reports so
     * ({@link #onCommitted}); everything in the log now counts as committed (the caller opened it at the committed
     * end).
     */
    public void attachWal(WalSink sink) {
        lock.lock();
        try {
            wal = sink;
            committed.track(end, leaderEpoch);
        } finally {
            lock.unlock();
        }
    }

    /** The write-ahead log committed every offset below {@code endOffset}. Any thread. */
    public void onCommitted(long endOffset) {
        LogEnd before = committed.visible();
        committed.committed(endOffset);
        LogEnd after = committed.visible();
        CommitListener listener = commitListener;
        if (listener != null && after.offset() > before.offset()) {
            int bytes = after.segmentBaseOffset() == before.segmentBaseOffset()
                    ? after.position() - before.position() : after.position();
            listener.committed(this, Math.max(1, bytes));
        }
    }

    /** Whether every append is committed once written locally (no write-ahead log is attached). */
    public boolean committedOnAppend() {
        return wal == null;
    }

    /** The write-ahead log will never commit offsets from {@code fromOffset} on, appended at {@code epoch}. */
    public void onCommitFailed(long fromOffset, int epoch, RuntimeException cause) {
        committed.failed(fromOffset, epoch, cause);
    }

    /**
     * Appends batches that already carry their offsets and were committed elsewhere (a write-ahead-log range
     * replayed by a new leader): batches ending below the log end are skipped, the next must start exactly at it.
     * Producer state follows them. Call before {@link #attachWal}: they count as committed at once.
     *
     * @throws IllegalStateException when the batches leave a gap or overlap the log end mid-batch
     * @throws org.apache.kafka.common.errors.CorruptRecordException when a batch fails its checksum
     */
    public void appendReplayed(MemoryRecords records) {
        lock.lock();
        try {
            ensureOpen();
            List<MutableRecordBatch> kept = new ArrayList<>();
            int bytes = 0;
            long next = end.offset();
            for (MutableRecordBatch batch : records.batches()) {
                batch.ensureValid();
                if (batch.lastOffset() < next) {
                    continue;
                }
                if (batch.baseOffset() != next) {
                    throw new IllegalStateException("replayed batch at offsets " + batch.baseOffset() + " to "
                            + batch.lastOffset() + " does not start at the log end " + next + " of " + topicPartition);
                }
                kept.add(batch);
                bytes += batch.sizeInBytes();
                next = batch.nextOffset();
            }
            if (kept.isEmpty()) {
                return;
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(bytes);
            kept.forEach(batch -> batch.writeTo(buffer));
            buffer.flip();
            MemoryRecords append = MemoryRecords.readableRecords(buffer);
            List<MutableRecordBatch> batches = new ArrayList<>();
            append.batches().forEach(batches::add);
            long nowMs = clock.millis();
            maybeRoll(bytes, nowMs, config);
            LogSegment segment = active;
            writeAllOrNothing(segment, append, batches, false);
            for (MutableRecordBatch batch : batches) {
                if (batch.hasProducerId()) {
                    producers.update(batch, nowMs);
                }
            }
            end = new LogEnd(next, segment.baseOffset(), segment.sizeInBytes());
            committed.appended(end);
            unflushedMessages += batches.size();
        } catch (IOException | IndexStoreException e) {
            throw storageError("append replayed batches to", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Completes once every offset below {@code offset} is committed (at once without a write-ahead log); fails
     * with {@link org.apache.kafka.common.errors.NotLeaderOrFollowerException} when they never will be.
     */
    public CompletableFuture<Void> awaitCommitted(long offset) {
        return committed.await(offset);
    }

    /** Told when offsets of a log become committed (to wake consumers waiting for them). */
    @FunctionalInterface
    public interface CommitListener {
        /** Offsets of {@code log} holding about {@code bytes} bytes became committed. */
        void committed(PartitionLog log, int bytes);
    }

    private volatile CommitListener commitListener;

    /** Sets who is told of commits made by the write-ahead log. */
    public void onCommit(CommitListener listener) {
        this.commitListener = listener;
    }

    /** Bytes of all local segments. */
    public long sizeInBytes() {
        long size = 0;
        for (LogSegment segment : segments.values()) {
            size += segment.sizeInBytes();
        }
        return size;
    }

    /** The idempotent producers this partition keeps state for (a copy). */
    public List<ProducerStateEntry> producerStates() {
        lock.lock();
        try {
            return producers.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /** The catalog view of every local segment, oldest first; the last one is active. */
    public List<SegmentRecord> segmentRecords() {
        List<SegmentRecord> records = new ArrayList<>();
        LogSegment current = active;
        for (LogSegment segment : segments.values()) {
            records.add(segment.toRecord(segment == current ? SegmentState.ACTIVE : SegmentState.SEALED));
        }
        return records;
    }

    /**
     * Validates and appends the batches of one produce request, assigning offsets.
     *
     * @throws org.apache.kafka.common.errors.ApiException with the Kafka error for invalid input
     *         (nothing is appended then)
     * @throws KafkaStorageException when the disk fails
     */
    public AppendResult append(MemoryRecords records) {
        LogConfig cfg = config;
        List<MutableRecordBatch> batches = RecordBatchValidator.validate(records, cfg, clock.millis(),
                topicPartition.toString());
        lock.lock();
        try {
            // read under the lock: appends from several connections then get non-decreasing LogAppendTimes
            long nowMs = clock.millis();
            ensureOpen();
            if (sealedForHandOff) {
                throw new NotLeaderOrFollowerException(topicPartition + " is being handed over to another broker");
            }
            if (batches.isEmpty()) {
                return AppendResult.empty(logStartOffset);
            }
            Optional<AppendResult> duplicate = findDuplicate(batches, cfg);
            if (duplicate.isPresent()) {
                return duplicate.get();
            }
            WalSink sink = wal;
            if (sink != null) {
                committed.checkAppendable();
                sink.checkAdmits(this);
            }
            long firstOffset = end.offset();
            long next = firstOffset;
            long logAppendTime = cfg.timestampType() == TimestampType.LOG_APPEND_TIME ? nowMs : RecordBatch.NO_TIMESTAMP;
            for (MutableRecordBatch batch : batches) {
                batch.setLastOffset(next + batch.lastOffset() - batch.baseOffset());
                batch.setPartitionLeaderEpoch(leaderEpoch);
                if (logAppendTime != RecordBatch.NO_TIMESTAMP) {
                    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, logAppendTime);
                }
                next = batch.nextOffset();
            }
            maybeRoll(records.sizeInBytes(), nowMs, cfg);
            LogSegment segment = active;
            boolean flushNow = unflushedMessages + (next - firstOffset) >= cfg.flushIntervalMessages();
            writeAllOrNothing(segment, records, batches, flushNow);
            // Only now that the bytes, their index entries (and the fsync asked for) are all in place
            for (MutableRecordBatch batch : batches) {
                if (batch.hasProducerId()) {
                    producers.update(batch, nowMs);
                }
            }
            end = new LogEnd(next, segment.baseOffset(), segment.sizeInBytes());
            committed.appended(end);
            if (sink != null) {
                sink.appended(this, leaderEpoch, firstOffset, next, records.buffer(), batches);
            }
            unflushedMessages += next - firstOffset;
            if (flushNow) {
                unflushedMessages = 0;
                lastFlushMs = nowMs;
                scheduleCheckpoint(List.of(), next, nowMs);
            }
            return new AppendResult(firstOffset, next - 1, logAppendTime, logStartOffset, false);
        } catch (IOException | IndexStoreException e) {
            throw storageError("append to", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the batches to {@code segment}, keeps their index entries in memory ({@link SegmentIndexer}) and,
     * with {@code fsync}, syncs the file and writes the index entries waiting in memory (as it also does once
     * {@link SegmentIndexer#MAX_PENDING_ENTRIES} wait); if any step fails, the file, the segment's statistics and
     * the entries in memory are rolled back to where they were (entries already written lie above the log end,
     * where recovery drops them) and the failure is rethrown. Producer state and the log end are the caller's
     * to update, after this returns. Under the lock.
     */
    private void writeAllOrNothing(LogSegment segment, MemoryRecords records, List<MutableRecordBatch> batches,
                                   boolean fsync) throws IOException {
        LogSegment.Mark mark = segment.mark();
        SegmentIndexer.Mark indexMark = indexer.mark(batches.get(0).baseOffset());
        try {
            int position = segment.append(records);
            for (MutableRecordBatch batch : batches) {
                indexer.onBatch(segment.baseOffset(), position, batch);
                position += batch.sizeInBytes();
            }
            if (fsync) {
                segment.flush();
            }
            if (fsync || indexer.pendingFull()) {
                indexer.writePending(); // before a checkpoint can pass them, or to bound the memory they take
            }
        } catch (IOException | IndexStoreException e) {
            indexer.rollBackTo(indexMark);
            try {
                segment.rollBackTo(mark);
            } catch (IOException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * The answer to a retried batch: its original offsets and, under LogAppendTime, its original
     * append time (recorded as the batch's max timestamp after the rewrite), as Kafka answers.
     */
    private Optional<AppendResult> findDuplicate(List<MutableRecordBatch> batches, LogConfig cfg) {
        for (MutableRecordBatch batch : batches) {
            if (batch.hasProducerId()) {
                Optional<BatchMetadata> original = producers.check(batch);
                if (original.isPresent()) {
                    BatchMetadata metadata = original.get();
                    LOGGER.debug("Duplicate batch from producer {} (sequences {}..{}) on {}: answering offset {}",
                            batch.producerId(), metadata.firstSeq(), metadata.lastSeq(), topicPartition,
                            metadata.firstOffset());
                    long appendTime = cfg.timestampType() == TimestampType.LOG_APPEND_TIME
                            ? metadata.timestamp() : RecordBatch.NO_TIMESTAMP;
                    return Optional.of(new AppendResult(metadata.firstOffset(), metadata.lastOffset(), appendTime,
                            logStartOffset, true));
                }
            }
        }
        return Optional.empty();
    }

    private void maybeRoll(int incomingBytes, long nowMs, LogConfig cfg) throws IOException {
        LogSegment segment = active;
        if (segment.isEmpty()) {
            return;
        }
        boolean full = (long) segment.sizeInBytes() + incomingBytes > segmentBytes(cfg);
        boolean old = nowMs - segment.createdMs() >= segmentMs(cfg);
        if (full || old) {
            roll(nowMs);
        }
    }

    /** Seals the active segment and starts a new one at the log end; the old one is fsynced in the background. */
    private void roll(long nowMs) throws IOException {
        LogSegment sealed = active;
        LogSegment next = LogSegment.create(directory, end.offset(), nowMs);
        try (IndexBatch writes = store.newBatch()) {
            SegmentIndexer.PendingWrite sealedEntries = indexer.addPendingTo(writes); // RocksDB indexes sealed segments
            store.segments().put(writes, key, sealed.toRecord(SegmentState.SEALED));
            store.segments().put(writes, key, next.toRecord(SegmentState.ACTIVE));
            writes.commit(false);
            sealedEntries.committed();
        }
        segments.put(next.baseOffset(), next);
        active = next;
        LOGGER.debug("Rolled {} at offset {} ({} bytes sealed)", topicPartition, next.baseOffset(),
                sealed.sizeInBytes());
        scheduleCheckpoint(List.of(sealed), next.baseOffset(), nowMs);
    }

    /** {@code segment.bytes}, or less while a write-ahead log bounds the tail it holds ({@link WalSink#tailMaxBytes}). */
    private long segmentBytes(LogConfig cfg) {
        WalSink sink = wal;
        return sink == null ? cfg.segmentBytes() : Math.min(cfg.segmentBytes(), sink.tailMaxBytes());
    }

    /** {@code segment.ms}, or less while a write-ahead log bounds the tail's age ({@link WalSink#tailMaxMs}). */
    private long segmentMs(LogConfig cfg) {
        WalSink sink = wal;
        return sink == null ? cfg.segmentMs() : Math.min(cfg.segmentMs(), sink.tailMaxMs());
    }

    /**
     * Writes the index entries waiting in memory, then queues an fsync of {@code toFlush} followed by a checkpoint
     * at {@code newRecoveryPoint}: the recovery point never passes an entry that is not in RocksDB (recovery
     * re-indexes only above it). When they cannot be written the log directory goes offline and nothing is
     * queued. Under the lock.
     */
    private void scheduleCheckpoint(List<LogSegment> toFlush, long newRecoveryPoint, long nowMs) {
        try {
            indexer.writePending();
        } catch (IndexStoreException e) {
            storageError("write the index entries of", e);
            return;
        }
        producers.expire(nowMs - PRODUCER_ID_EXPIRATION_MS);
        checkpointer.schedule(toFlush, newRecoveryPoint, producers.snapshot());
    }

    /** Fsyncs and checkpoints if {@code flush.ms} has passed since the last flush and data is waiting. */
    public void maybeFlush() {
        long nowMs = clock.millis();
        lock.lock();
        try {
            if (closed || !health.online(topicPartition) || unflushedMessages == 0
                    || nowMs - lastFlushMs < config.flushMs()) {
                return;
            }
            flushLocked(nowMs);
        } finally {
            lock.unlock();
        }
    }

    /** Fsyncs the active segment now and checkpoints the log end. */
    public void flush() {
        lock.lock();
        try {
            ensureOpen();
            flushLocked(clock.millis());
        } finally {
            lock.unlock();
        }
        checkpointer.awaitPending();
        if (checkpointer.failed() || !health.online()) {
            throw offline();
        }
    }

    private void flushLocked(long nowMs) {
        unflushedMessages = 0;
        lastFlushMs = nowMs;
        scheduleCheckpoint(List.of(active), end.offset(), nowMs);
    }

    /**
     * Seals the active segment now if it holds anything, and fsyncs and checkpoints the log, so that every
     * offset below the log end is in a sealed, uploadable segment ({@link #uploadableSegments}) when this
     * returns. For a hand-over of the partition: from now on appends are refused with NOT_LEADER_OR_FOLLOWER (a
     * produce that passed the leadership check before the hand-over began may still arrive) until
     * {@link #resumeAppends}.
     *
     * @return the log end offset
     */
    public long sealForHandOff() {
        long sealedEnd;
        lock.lock();
        try {
            ensureOpen();
            sealedForHandOff = true;
            if (!active.isEmpty()) {
                roll(clock.millis());
            }
            sealedEnd = end.offset();
        } catch (IOException | IndexStoreException e) {
            throw storageError("roll", e);
        } finally {
            lock.unlock();
        }
        flush();
        return sealedEnd;
    }

    /** Lets appends in again after a hand-over that did not happen ({@link #sealForHandOff}). */
    public void resumeAppends() {
        lock.lock();
        try {
            sealedForHandOff = false;
        } finally {
            lock.unlock();
        }
    }

    /** Rolls the active segment if {@code segment.ms} has passed since it was created. */
    public void maybeRollByTime() {
        long nowMs = clock.millis();
        lock.lock();
        try {
            if (!closed && health.online(topicPartition) && !active.isEmpty()
                    && nowMs - active.createdMs() >= segmentMs(config)) {
                roll(nowMs);
            }
        } catch (IOException | IndexStoreException e) {
            throw storageError("roll", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads record batches from {@code fetchOffset}: at most {@code maxBytes}, unless the first batch
     * alone is larger and {@code minOneMessage} is set (then that whole batch).
     *
     * @throws OffsetOutOfRangeException when {@code fetchOffset} is below the log start or above the high watermark
     */
    public FetchResult read(long fetchOffset, int maxBytes, boolean minOneMessage) {
        return read(fetchOffset, maxBytes, minOneMessage, false);
    }

    /**
     * @param fileSlice when true, local records come back as a {@link org.apache.kafka.common.record.FileRecords}
     *                  slice of the segment (nothing is read now; the response sends the bytes from the
     *                  page cache with sendfile); otherwise they are read into memory
     */
    private FetchResult read(long fetchOffset, int maxBytes, boolean minOneMessage, boolean fileSlice) {
        health.check(topicPartition);
        LogEnd currentEnd = committed.visible();
        long startOffset = logStartOffset;
        if (fetchOffset < startOffset || fetchOffset > currentEnd.offset()) {
            throw new OffsetOutOfRangeException("Offset " + fetchOffset + " is out of range for " + topicPartition
                    + ": log start " + startOffset + ", high watermark " + currentEnd.offset());
        }
        if (fetchOffset == currentEnd.offset()) {
            return new FetchResult(MemoryRecords.EMPTY, currentEnd.offset(), startOffset);
        }
        if (fetchOffset < localStartOffset() && remote.attached()) {
            return join(remote.read(fetchOffset, maxBytes, minOneMessage, currentEnd.offset(), startOffset));
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
        if (entry == null) {
            entry = segments.firstEntry();
        }
        try {
            while (entry != null && entry.getKey() <= currentEnd.segmentBaseOffset()) {
                LogSegment segment = entry.getValue();
                int endPosition = segment.baseOffset() == currentEnd.segmentBaseOffset()
                        ? currentEnd.position() : segment.sizeInBytes();
                Optional<LogOffsetPosition> found = segment.findBatch(fetchOffset,
                        search.startPosition(segment, fetchOffset), endPosition);
                if (found.isPresent()) {
                    LogOffsetPosition batch = found.get();
                    int available = endPosition - batch.position;
                    int length = Math.min(available, Math.max(0, maxBytes));
                    if (minOneMessage && length < batch.size) {
                        length = Math.min(available, batch.size);
                    }
                    Records records = length == 0 ? MemoryRecords.EMPTY
                            : fileSlice ? segment.slice(batch.position, length)
                            : MemoryRecords.readableRecords(segment.read(batch.position, length));
                    return new FetchResult(records, currentEnd.offset(), startOffset);
                }
                entry = segments.higherEntry(entry.getKey());
            }
        } catch (IOException e) {
            throw storageError("read from", e);
        }
        return new FetchResult(MemoryRecords.EMPTY, currentEnd.offset(), startOffset);
    }

    /**
     * As {@link #read}, without blocking on the bucket: a local read completes before this returns
     * (call it on an I/O thread), a read of the remote tier completes when its chunks arrive.
     */
    public CompletableFuture<FetchResult> readAsync(long fetchOffset, int maxBytes, boolean minOneMessage) {
        if (!health.online(topicPartition)) {
            return CompletableFuture.failedFuture(offline());
        }
        LogEnd currentEnd = committed.visible();
        long startOffset = logStartOffset;
        if (remote.attached() && fetchOffset >= startOffset && fetchOffset < currentEnd.offset()
                && fetchOffset < localStartOffset()) {
            return remote.read(fetchOffset, maxBytes, minOneMessage, currentEnd.offset(), startOffset);
        }
        try {
            return CompletableFuture.completedFuture(read(fetchOffset, maxBytes, minOneMessage, true));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Base offset of the oldest local segment. */
    public long localStartOffset() {
        return segments.firstKey();
    }

    /**
     * Connects the log to the remote tier: reads below the local segments go to the bucket, and
     * retention keeps local copies only until they are uploaded (when the topic tiers).
     *
     * @param copiedEnd one past the last offset already copied to the bucket
     */
    public void attachRemote(RemoteReads reads, long copiedEnd) {
        remote.attach(reads, copiedEnd);
    }

    /** True when this log's sealed segments go to the bucket. */
    public boolean tiered() {
        return remote.attached() && config.remoteStorageEnable();
    }

    /** Records that every offset below {@code nextOffset} is copied to the bucket. */
    public void onSegmentCopied(long nextOffset) {
        remote.onCopied(nextOffset);
    }

    /** One past the last offset copied to the bucket (0 when nothing is). */
    public long remoteEndOffset() {
        return remote.copiedEnd();
    }

    /**
     * The sealed segments that may be uploaded: those wholly below the durable recovery point (fsynced,
     * and checkpointed as such), oldest first. A sealed segment whose fsync is still queued, or failed,
     * is not one of them: the bucket must never hold offsets a power loss could take from the local log.
     */
    public List<SegmentRecord> uploadableSegments() {
        long synced = Math.min(checkpointer.recoveryPoint(), highWatermark()); // only committed data (rule 3)
        return sealedSegments().stream().filter(s -> s.nextOffset() <= synced).toList();
    }

    /** The recovery point made durable: every offset below it is fsynced. */
    public long recoveryPoint() {
        return checkpointer.recoveryPoint();
    }

    /** The sealed (rolled, immutable) local segments, oldest first. */
    public List<SegmentRecord> sealedSegments() {
        List<SegmentRecord> all = segmentRecords();
        return all.subList(0, all.size() - 1);
    }

    /** The file of the local segment starting at {@code baseOffset}. */
    public Path segmentFile(long baseOffset) {
        return SegmentFiles.path(directory, baseOffset);
    }

    /** The first record whose timestamp is {@code >= timestamp}, on either tier ({@link SegmentSearch}). */
    public Optional<TimestampAndOffset> offsetForTimestamp(long timestamp) {
        return search.offsetForTimestamp(timestamp, logStartOffset, highWatermark());
    }

    /**
     * The record with the greatest timestamp (the first such record when several share it), on either tier; none
     * while that record is above the high watermark (as Kafka answers consumers: a record that may be lost is never
     * named, CLUSTER.md invariant 3).
     */
    public Optional<TimestampAndOffset> maxTimestampOffset() {
        long highWatermark = highWatermark();
        return search.maxTimestampOffset(logStartOffset).filter(found -> found.offset < highWatermark);
    }

    /** The offset index entry a read of {@code offset} scans from (in memory or in RocksDB; for tests). */
    Optional<OffsetPosition> offsetIndexEntryAtOrBelow(long offset) {
        return search.offsetEntryAtOrBelow(offset);
    }

    /** The time index entry a search for {@code timestamp} scans after (in memory or in RocksDB; for tests). */
    Optional<TimeEntry> timeIndexEntryBefore(long timestamp) {
        return search.timeEntryBefore(timestamp);
    }

    /**
     * Deletes the oldest segments that {@code retention.ms}, {@code retention.bytes} or the log start
     * offset have expired, advancing the log start offset; never one that ends above the high watermark.
     *
     * @return the number of segments deleted
     */
    public int deleteExpiredSegments() {
        if (tiered()) {
            return deleteUploadedLocalSegments();
        }
        lock.lock();
        try {
            if (closed || !health.online(topicPartition)) {
                return 0;
            }
            List<SegmentRecord> records = segmentRecords();
            int expired = RetentionPolicy.expiredSegments(records, config.retentionMs(), config.retentionBytes(),
                    logStartOffset, clock.millis());
            long highWatermark = highWatermark();
            int count = 0;
            while (count < expired && records.get(count).nextOffset() <= highWatermark) {
                count++; // as in Kafka, never a segment holding what is not committed yet
            }
            if (count == 0) {
                return 0;
            }
            int deleted = moveLogStartTo(Math.max(logStartOffset, records.get(count).baseOffset()));
            LOGGER.info("Retention deleted {} segment(s) of {}; log start offset is now {}", deleted,
                    topicPartition, logStartOffset);
            return deleted;
        } catch (IndexStoreException e) {
            throw storageError("apply retention to", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Local retention of a tiered log: deletes the local copies of the oldest segments that
     * {@code local.retention.ms} / {@code local.retention.bytes} (-2: the total retention) let go,
     * but only those already copied to the bucket. The log start offset and the index entries stay:
     * those offsets are now read from the bucket. Total retention is the remote tier's job.
     *
     * @return the number of local segment files deleted
     */
    private int deleteUploadedLocalSegments() {
        lock.lock();
        try {
            if (closed || !health.online(topicPartition)) {
                return 0;
            }
            LogConfig cfg = config;
            long retentionMs = cfg.localRetentionMs() == -2 ? cfg.retentionMs() : cfg.localRetentionMs();
            long retentionBytes = cfg.localRetentionBytes() == -2 ? cfg.retentionBytes() : cfg.localRetentionBytes();
            List<SegmentRecord> records = segmentRecords();
            int expired = RetentionPolicy.expiredSegments(records, retentionMs, retentionBytes, -1, clock.millis());
            int count = 0;
            while (count < expired && records.get(count).nextOffset() <= remote.copiedEnd()) {
                count++;
            }
            if (count < expired) {
                LOGGER.debug("{}: {} segment(s) over local retention wait for their upload", topicPartition,
                        expired - count);
            }
            if (count == 0) {
                return 0;
            }
            List<LogSegment> doomed = new ArrayList<>(segments.headMap(records.get(count).baseOffset()).values());
            try (IndexBatch writes = store.newBatch()) {
                forget(writes, doomed);
                writes.commit(false);
            }
            dropFiles(doomed);
            LOGGER.debug("Local retention deleted {} uploaded segment(s) of {}; local start offset is now {}",
                    doomed.size(), topicPartition, localStartOffset());
            return doomed.size();
        } catch (IndexStoreException e) {
            throw storageError("apply local retention to", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the log start offset up to {@code newStart} (total retention over both tiers, or
     * DeleteRecords): offsets below it are no longer readable; local segments wholly below it are
     * deleted, and so are the index entries below it. Does nothing when {@code newStart} is not above
     * the current start; never goes past the high watermark.
     */
    public void advanceLogStartOffset(long newStart) {
        lock.lock();
        try {
            ensureOpen();
            long target = Math.min(newStart, highWatermark());
            if (target <= logStartOffset) {
                return;
            }
            moveLogStartTo(target);
            LOGGER.info("Log start offset of {} advanced to {}", topicPartition, target);
        } catch (IndexStoreException e) {
            throw storageError("advance the log start offset of", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the log start offset to {@code target} durably, deleting the local segments wholly below
     * it and the index entries below it. Under the lock.
     *
     * @return the number of local segments deleted
     */
    private int moveLogStartTo(long target) {
        List<LogSegment> doomed = new ArrayList<>();
        for (LogSegment segment : segments.values()) {
            if (segment != active && segment.nextOffset() <= target) {
                doomed.add(segment);
            }
        }
        // first, on their own: the time index finds the range to delete by reading what RocksDB holds
        indexer.writePending();
        try (IndexBatch writes = store.newBatch()) {
            forget(writes, doomed);
            store.offsetIndex().deleteBelow(writes, key, target);
            store.timeIndex().deleteBelow(writes, key, target);
            checkpointer.commitLogStart(writes, target);
        }
        logStartOffset = target;
        dropFiles(doomed);
        return doomed.size();
    }

    /** Adds the removal of {@code doomed} from the segment catalog to {@code writes}. */
    private void forget(IndexBatch writes, List<LogSegment> doomed) {
        for (LogSegment segment : doomed) {
            store.segments().delete(writes, key, segment.baseOffset());
        }
    }

    /** Takes {@code doomed} out of the log and deletes their files once reads in progress are done. Under the lock. */
    private void dropFiles(List<LogSegment> doomed) {
        for (LogSegment segment : doomed) {
            segments.remove(segment.baseOffset());
            deleteLater(segment, config.fileDeleteDelayMs());
        }
    }

    /** Renames the file now and deletes it after {@code delayMs}, so that reads in progress finish. */
    private void deleteLater(LogSegment segment, long delayMs) {
        try {
            segment.markDeleted();
        } catch (IOException e) {
            deletionFailed("rename deleted segment " + segment.baseOffset() + " of", e);
        }
        CompletableFuture.runAsync(() -> {
            try {
                segment.close();
                segment.deleteFile();
            } catch (IOException e) {
                deletionFailed("delete segment file " + segment.file() + " of", e);
            }
        }, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS, background));
    }

    /** A failed deletion leaves a file behind (logged); a failed sync of its directory is fatal. */
    private void deletionFailed(String action, IOException e) {
        if (Fsync.isSyncFailure(e)) {
            health.failed(topicPartition, action, e);
        } else {
            LOGGER.warn("Could not {} {}: {}", action, topicPartition, e.getMessage());
        }
    }

    /**
     * Fsyncs, checkpoints the log end and closes the files. The log rejects appends from the moment
     * close starts (an append racing it fails with {@link KafkaStorageException}), so nothing is
     * written after the final flush.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (health.online(topicPartition)) {
                flushLocked(clock.millis());
            }
        } finally {
            lock.unlock();
        }
        failUncommitted();
        checkpointer.awaitPending();
        lock.lock();
        try {
            if (!health.online(topicPartition) || checkpointer.failed()) {
                throw offline(); // the files close below; the next start re-validates them
            }
            try (IndexBatch writes = store.newBatch()) {
                store.segments().put(writes, key, active.toRecord(SegmentState.ACTIVE));
                writes.commit(true);
            } catch (IndexStoreException e) {
                throw storageError("close", e);
            }
        } finally {
            closeFiles();
            lock.unlock();
        }
    }

    /** A closed log commits nothing more: requests waiting for its commits fail (the producer retries). */
    private void failUncommitted() {
        committed.failed(end.offset(), Integer.MAX_VALUE, new NotLeaderOrFollowerException("the log of "
                + topicPartition + " was closed before the append was committed"));
    }

    /**
     * Closes the files without flushing, for topic deletion; the caller removes the RocksDB entries
     * and the directory.
     */
    public void closeForDeletion() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        failUncommitted();
        checkpointer.awaitPending();
        lock.lock();
        try {
            closeFiles();
        } finally {
            lock.unlock();
        }
    }

    public PartitionKey key() {
        return key;
    }

    /** Closes every segment file; {@code closed} is already set, under the lock. */
    private void closeFiles() {
        for (LogSegment segment : segments.values()) {
            try {
                segment.close();
            } catch (IOException e) {
                LOGGER.warn("Could not close segment {} of {}: {}", segment.baseOffset(), topicPartition,
                        e.getMessage());
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("The log of " + topicPartition + " is closed");
        }
        health.check(topicPartition);
    }

    /** Whether appends and reads are served: false once a storage failure took the partition or its directory offline. */
    public boolean online() {
        return health.online(topicPartition);
    }

    /**
     * @throws StorageOfflineException ({@code KAFKA_STORAGE_ERROR}) when a storage failure took the
     *         partition or its directory offline
     */
    public void checkOnline() {
        health.check(topicPartition);
    }

    private StorageOfflineException offline() {
        try {
            health.check(topicPartition);
        } catch (StorageOfflineException e) {
            return e;
        }
        return new StorageOfflineException("The log of " + topicPartition + " failed to checkpoint");
    }

    /** Takes the partition (or, for a failed fsync or RocksDB write, its directory) offline; logged once there. */
    private KafkaStorageException storageError(String action, Exception e) {
        return health.failed(topicPartition, action, e);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", start=" + logStartOffset + ", end=" + end.offset() + ")";
    }
}
