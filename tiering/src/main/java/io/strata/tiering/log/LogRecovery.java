package io.strata.tiering.log;

import io.strata.index.IndexBatch;
import io.strata.index.PartitionKey;
import io.strata.index.PartitionState;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.SegmentRecord;
import io.strata.index.SegmentState;
import io.strata.index.TimeEntry;
import io.strata.tiering.config.LogConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition's segments and brings them and their RocksDB entries back into agreement.
 *
 * <p>After a clean shutdown the catalog is trusted. After a crash, every segment from the one
 * holding the recovery point onwards is read batch by batch: each batch's length, magic and CRC are
 * checked and its offsets must not go backwards. The first bad or torn batch ends the log: the
 * segment is truncated there and any later segment is deleted, and the broker logs what it cut.
 * Index entries above the recovery point are dropped and rebuilt from the surviving batches, and
 * the producer snapshot taken at the recovery point is brought forward by replaying them.
 *
 * <p>Not thread-safe; runs once per partition before the log is opened.
 */
final class LogRecovery {

    private static final Logger LOGGER = LoggerFactory.getLogger(LogRecovery.class);

    private final TopicPartition topicPartition;
    private final PartitionKey key;
    private final Path directory;
    private final RocksDbIndexStore store;
    private final LogConfig config;
    private final Clock clock;

    record Recovered(ConcurrentSkipListMap<Long, LogSegment> segments, ProducerStateManager producers,
                     SegmentIndexer indexer, long logStartOffset, long recoveryPoint) {
    }

    LogRecovery(TopicPartition topicPartition, PartitionKey key, Path directory, RocksDbIndexStore store,
                LogConfig config, Clock clock) {
        this.topicPartition = topicPartition;
        this.key = key;
        this.directory = directory;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    Recovered recover(boolean cleanShutdown) {
        try {
            Fsync.createDirectories(directory);
            removeLeftoverDeletedFiles();
            TreeMap<Long, Path> files = segmentFiles();
            Map<Long, SegmentRecord> catalog = new TreeMap<>();
            for (SegmentRecord record : store.segments().list(key)) {
                catalog.put(record.baseOffset(), record);
            }
            PartitionState state = store.partitionStates().get(key).orElse(new PartitionState(0, 0));
            ProducerStateManager producers = new ProducerStateManager(topicPartition.toString());
            producers.load(store.producerStates().list(key));
            SegmentIndexer indexer = new SegmentIndexer(store, key, config.indexIntervalBytes());
            List<RemoteSegment> remote = store.remoteSegments().list(key).stream()
                    .filter(r -> r.state() != RemoteSegmentState.COPY_STARTED)
                    .toList();
            long catalogEnd = Math.max(
                    catalog.values().stream().mapToLong(SegmentRecord::nextOffset).max().orElse(0),
                    remote.stream().mapToLong(RemoteSegment::nextOffset).max().orElse(0));
            forgetMissingFiles(catalog, files);
            if (files.isEmpty()) {
                return freshLog(state, catalogEnd, remote, producers, indexer);
            }
            long recoverFrom = recoveryStart(files, catalog, cleanShutdown ? Long.MAX_VALUE : state.recoveryPoint());
            ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
            long maxTimestampBelow = RecordBatch.NO_TIMESTAMP;
            for (RemoteSegment segment : remote) {
                if (segment.nextOffset() <= files.firstKey()) {
                    maxTimestampBelow = Math.max(maxTimestampBelow, segment.maxTimestamp());
                }
            }
            for (Map.Entry<Long, SegmentRecord> known : catalog.entrySet()) {
                if (known.getKey() < recoverFrom) {
                    LogSegment segment = LogSegment.open(directory, known.getValue());
                    segments.put(segment.baseOffset(), segment);
                    maxTimestampBelow = Math.max(maxTimestampBelow, segment.maxTimestamp());
                }
            }
            indexer.resetRunningMaxTimestamp(runningMaxBelow(recoverFrom, maxTimestampBelow));
            long logEnd = segments.isEmpty() ? files.firstKey() : segments.lastEntry().getValue().nextOffset();
            if (recoverFrom != Long.MAX_VALUE) {
                logEnd = replay(files.tailMap(recoverFrom, true), catalog, segments, producers, indexer,
                        state.recoveryPoint(), logEnd);
            }
            long floor = Math.max(state.logStartOffset(), remoteEnd(remote));
            if (logEnd < floor) {
                return restartAbove(floor, logEnd, segments, state, remote, producers, indexer);
            }
            long firstAvailable = remote.isEmpty() ? segments.firstKey()
                    : Math.min(segments.firstKey(), remote.get(0).baseOffset());
            long logStart = Math.min(Math.max(state.logStartOffset(), firstAvailable), logEnd);
            // replay fsyncs every segment it re-reads, and everything before them is below the recovery point
            long synced = recoverFrom != Long.MAX_VALUE ? logEnd : Math.min(state.recoveryPoint(), logEnd);
            return new Recovered(segments, producers, indexer, logStart, synced);
        } catch (IOException e) {
            throw new KafkaStorageException("Could not open the log of " + topicPartition + " in " + directory + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The running maximum timestamp to continue the time index from at {@code offset}: the greatest of
     * the kept segments' timestamps and of the index entry just below {@code offset}. After retention
     * deleted the segment that held the greatest timestamp, the entries kept after it still carry that
     * timestamp; continuing below it would break the index's order (by timestamp and by offset at once)
     * that trimming relies on, and a torn batch's entry would then survive recovery.
     */
    private long runningMaxBelow(long offset, long maxTimestampOfKeptSegments) {
        long indexed = store.timeIndex().lastBelowOffset(key, offset).map(TimeEntry::maxTimestamp)
                .orElse(RecordBatch.NO_TIMESTAMP);
        return Math.max(indexed, maxTimestampOfKeptSegments);
    }

    /**
     * The base offset of the first segment that must be re-read: the one holding the recovery point
     * ({@code Long.MAX_VALUE} after a clean shutdown), or an earlier one the catalog does not know or
     * whose size disagrees with the catalog. {@code Long.MAX_VALUE} when nothing needs re-reading.
     */
    private static long recoveryStart(TreeMap<Long, Path> files, Map<Long, SegmentRecord> catalog, long recoveryPoint)
            throws IOException {
        Long holding = recoveryPoint == Long.MAX_VALUE ? null : files.floorKey(recoveryPoint);
        long start = recoveryPoint == Long.MAX_VALUE ? Long.MAX_VALUE : holding == null ? files.firstKey() : holding;
        for (Map.Entry<Long, Path> file : files.entrySet()) {
            if (file.getKey() >= start) {
                break;
            }
            SegmentRecord known = catalog.get(file.getKey());
            if (known == null || known.sizeBytes() != Files.size(file.getValue())) {
                return file.getKey();
            }
        }
        return start;
    }

    /**
     * Reads every batch of the given segments, rebuilding statistics, index entries and producer
     * state; truncates at the first invalid batch and deletes the segments after it.
     *
     * @return the log end offset after recovery
     */
    private long replay(Map<Long, Path> toRecover, Map<Long, SegmentRecord> catalog,
                        ConcurrentSkipListMap<Long, LogSegment> segments, ProducerStateManager producers,
                        SegmentIndexer indexer, long recoveryPoint, long logEnd) throws IOException {
        long firstBase = toRecover.keySet().iterator().next();
        long expectedNext = Math.max(logEnd, firstBase);
        long nowMs = clock.millis();
        List<LogSegment> recovered = new ArrayList<>();
        boolean truncated = false;
        try (IndexBatch writes = store.newBatch()) {
            store.offsetIndex().deleteFrom(writes, key, firstBase);
            store.timeIndex().deleteFrom(writes, key, firstBase);
            for (Map.Entry<Long, Path> file : toRecover.entrySet()) {
                long base = file.getKey();
                if (truncated) {
                    LOGGER.warn("Recovery of {}: deleted segment {} that follows a truncated segment", topicPartition,
                            file.getValue().getFileName());
                    Fsync.delete(file.getValue());
                    store.segments().delete(writes, key, base);
                    continue;
                }
                SegmentRecord known = catalog.get(base);
                LogSegment segment = LogSegment.openForRecovery(file.getValue(), base,
                        known == null ? nowMs : known.createdMs());
                int validBytes = 0;
                String problem = null;
                try {
                    for (FileChannelRecordBatch batch : segment.fileRecords().batches()) {
                        problem = check(batch, expectedNext);
                        if (problem != null) {
                            break;
                        }
                        indexer.onBatch(writes, base, batch.position(), batch);
                        segment.observe(batch);
                        if (batch.hasProducerId() && batch.lastOffset() >= recoveryPoint) {
                            producers.update(batch, nowMs);
                        }
                        expectedNext = batch.nextOffset();
                        validBytes = batch.position() + batch.sizeInBytes();
                    }
                } catch (KafkaException e) {
                    problem = e.getMessage();
                }
                if (validBytes < segment.sizeInBytes()) {
                    LOGGER.warn("Recovery of {}: truncated segment {} from {} to {} bytes at offset {} ({})",
                            topicPartition, file.getValue().getFileName(), segment.sizeInBytes(), validBytes,
                            expectedNext, problem == null ? "incomplete batch at the end" : problem);
                    segment.truncateTo(validBytes);
                    truncated = true;
                }
                if (segment.isEmpty() && !recovered.isEmpty()) {
                    segment.close();
                    Fsync.delete(file.getValue());
                    store.segments().delete(writes, key, base);
                    continue;
                }
                segment.flush();
                recovered.add(segment);
                segments.put(base, segment);
            }
            for (LogSegment segment : recovered) {
                SegmentState state = segment == recovered.get(recovered.size() - 1)
                        ? SegmentState.ACTIVE : SegmentState.SEALED;
                store.segments().put(writes, key, segment.toRecord(state));
            }
            writes.commit(true);
        }
        producers.truncateTo(expectedNext);
        LOGGER.info("Recovered {}: {} segment(s) re-validated from offset {}, log end offset {}", topicPartition,
                recovered.size(), firstBase, expectedNext);
        return expectedNext;
    }

    /** Why a batch cannot be kept, or null when it is valid. */
    private static String check(FileChannelRecordBatch batch, long expectedNext) {
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
            return "batch at position " + batch.position() + " has magic " + batch.magic();
        }
        if (batch.baseOffset() < expectedNext) {
            return "batch at position " + batch.position() + " starts at offset " + batch.baseOffset()
                    + ", below the expected " + expectedNext;
        }
        if (!batch.isValid()) {
            return "batch at position " + batch.position() + " fails its CRC check";
        }
        return null;
    }

    /**
     * A log with no local segment file: new, or (after a disk loss or a restore from the bucket) one
     * whose older offsets are all in remote segments. The active segment starts where they end.
     */
    private Recovered freshLog(PartitionState state, long catalogEnd, List<RemoteSegment> remote,
                               ProducerStateManager producers, SegmentIndexer indexer) throws IOException {
        long base = Math.max(state.logStartOffset(), catalogEnd);
        long logStart = remote.isEmpty() ? base
                : Math.min(base, Math.max(state.logStartOffset(), remote.get(0).baseOffset()));
        if (!remote.isEmpty()) {
            LOGGER.info("{} has no local segment files; offsets {} to {} are in the bucket, new data starts at {}",
                    topicPartition, logStart, base - 1, base);
            indexer.resetRunningMaxTimestamp(remote.stream().mapToLong(RemoteSegment::maxTimestamp).max()
                    .orElse(RecordBatch.NO_TIMESTAMP));
        } else if (base > 0) {
            LOGGER.warn("{} has no segment files; starting an empty log at offset {}", topicPartition, base);
        }
        LogSegment segment = LogSegment.create(directory, base, clock.millis());
        try (IndexBatch writes = store.newBatch()) {
            store.segments().put(writes, key, segment.toRecord(SegmentState.ACTIVE));
            store.partitionStates().put(writes, key, new PartitionState(logStart, base));
            writes.commit(true);
        }
        producers.truncateTo(base);
        ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        segments.put(base, segment);
        return new Recovered(segments, producers, indexer, logStart, base);
    }

    /** One past the last offset the bucket holds for this partition (0 when nothing). */
    private static long remoteEnd(List<RemoteSegment> remote) {
        return remote.stream().mapToLong(RemoteSegment::nextOffset).max().orElse(0);
    }

    /**
     * The recovered local log ends at {@code logEnd}, below {@code floor}: offsets the bucket already
     * holds, or a log start offset already made durable (a power loss took a tail that was never
     * synced). Reissuing those offsets would give two records one offset, or undo a DeleteRecords;
     * instead the local segments (all below the floor) are dropped and the log continues at the floor,
     * the offsets below it read from the bucket.
     */
    private Recovered restartAbove(long floor, long logEnd, ConcurrentSkipListMap<Long, LogSegment> segments,
                                   PartitionState state, List<RemoteSegment> remote, ProducerStateManager producers,
                                   SegmentIndexer indexer) throws IOException {
        LOGGER.warn("Recovery of {}: the local log ends at offset {} but offsets up to {} are already {}; dropping"
                        + " the local segments and continuing at offset {}", topicPartition, logEnd, floor - 1,
                floor > state.logStartOffset() ? "in the bucket" : "below the log start offset", floor);
        try (IndexBatch writes = store.newBatch()) {
            for (LogSegment segment : segments.values()) {
                store.segments().delete(writes, key, segment.baseOffset());
            }
            writes.commit(true);
        }
        for (LogSegment segment : segments.values()) {
            segment.close(); // before the unlink, which leaves the channel open for responses still sending
            segment.deleteFile();
        }
        return freshLog(state, floor, remote, producers, indexer);
    }

    /** Catalog entries whose file is gone are dropped (logged): the files are the truth for local data. */
    private void forgetMissingFiles(Map<Long, SegmentRecord> catalog, TreeMap<Long, Path> files) {
        List<Long> missing = catalog.keySet().stream().filter(base -> !files.containsKey(base)).toList();
        if (missing.isEmpty()) {
            return;
        }
        LOGGER.warn("{}: the catalog lists segment(s) {} whose files are missing; forgetting them", topicPartition,
                missing);
        try (IndexBatch writes = store.newBatch()) {
            for (Long base : missing) {
                store.segments().delete(writes, key, base);
                catalog.remove(base);
            }
            writes.commit(false);
        }
    }

    private TreeMap<Long, Path> segmentFiles() throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(directory)) {
            list.forEach(path -> {
                OptionalLong base = SegmentFiles.baseOffsetOf(path);
                if (base.isPresent()) {
                    files.put(base.getAsLong(), path);
                }
            });
        }
        return files;
    }

    private void removeLeftoverDeletedFiles() throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            for (Path path : (Iterable<Path>) list::iterator) {
                if (path.getFileName().toString().endsWith(SegmentFiles.DELETED_SUFFIX)) {
                    Fsync.delete(path);
                }
            }
        }
    }
}
