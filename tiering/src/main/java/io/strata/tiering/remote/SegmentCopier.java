package io.strata.tiering.remote;

import io.strata.index.IndexBatch;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.SegmentRecord;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a partition's sealed segments to the bucket, oldest first, one at a time. Each copy walks
 * Kafka's states, persisted in RocksDB so that a crash at any step is resumed by copying again
 * (every step is idempotent: the keys are deterministic and a PUT replaces whole objects):
 * <ol>
 *   <li>COPY_STARTED is recorded;</li>
 *   <li>the segment object and its index sidecar are PUT (a multipart upload that fails is aborted,
 *       so no partial object ever exists under a key);</li>
 *   <li>the manifest is rewritten to list the segment;</li>
 *   <li>COPY_FINISHED is recorded and the log learns that the offsets are in the bucket, which
 *       lets local retention delete the local copy.</li>
 * </ol>
 * Blocking; runs on the remote tier's copy threads, one partition per thread.
 */
final class SegmentCopier {

    private static final Logger LOGGER = LoggerFactory.getLogger(SegmentCopier.class);

    private final ObjectStore store;
    private final RocksDbIndexStore index;
    private final ManifestWriter manifests;
    private final RateLimiter limiter;
    private final RemoteMetrics metrics;
    private final Clock clock;

    SegmentCopier(ObjectStore store, RocksDbIndexStore index, ManifestWriter manifests, RateLimiter limiter,
                  RemoteMetrics metrics, Clock clock) {
        this.store = store;
        this.index = index;
        this.manifests = manifests;
        this.limiter = limiter;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Copies every sealed, fsynced segment of {@code log} that is not in the bucket yet; returns how many
     * it copied. A segment whose fsync has not been checkpointed waits for the next pass.
     */
    int copyPending(PartitionLog log) throws InterruptedException {
        Map<Long, RemoteSegment> remote = new HashMap<>();
        for (RemoteSegment segment : index.remoteSegments().list(log.key())) {
            remote.put(segment.baseOffset(), segment);
        }
        int copied = 0;
        for (SegmentRecord segment : log.uploadableSegments()) { // sealed and fsynced
            RemoteSegment known = remote.get(segment.baseOffset());
            if (segment.isEmpty() || segment.nextOffset() <= log.logStartOffset()
                    || (known != null && known.state() != RemoteSegmentState.COPY_STARTED)) {
                continue;
            }
            Path file = log.segmentFile(segment.baseOffset());
            if (!Files.exists(file)) {
                continue;
            }
            copy(log, segment, file);
            copied++;
        }
        return copied;
    }

    private void copy(PartitionLog log, SegmentRecord segment, Path file) throws InterruptedException {
        long started = clock.millis();
        ScannedSegment scan;
        try {
            scan = ScannedSegment.scan(file, segment.baseOffset(), segment.nextOffset(), segment.sizeBytes(),
                    log.config().indexIntervalBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " for upload", e);
        }
        RemoteSegment copying = new RemoteSegment(segment.baseOffset(), segment.nextOffset(), segment.sizeBytes(),
                scan.firstTimestamp(), scan.maxTimestamp(), scan.offsetOfMaxTimestamp(), scan.crc32c(), -1,
                RemoteSegmentState.COPY_STARTED);
        record(log, copying, false);
        limiter.acquire(segment.sizeBytes());
        try {
            store.putFile(RemoteLayout.segment(log.topicPartition(), log.key().topicId(), segment.baseOffset()), file)
                    .join();
            metrics.copyRequests.increment();
            store.put(RemoteLayout.index(log.topicPartition(), log.key().topicId(), segment.baseOffset()),
                    scan.sidecar().encode(), PutCondition.NONE).join();
            metrics.copyRequests.increment();
            RemoteSegment finished = copying.withState(RemoteSegmentState.COPY_FINISHED, clock.millis());
            manifests.write(log, Optional.of(finished));
            try (IndexBatch writes = index.newBatch()) {
                index.remoteSegments().put(writes, log.key(), finished);
                addTimeEntries(writes, log, segment.baseOffset(), scan.sidecar());
                writes.commit(true);
            }
        } catch (RuntimeException e) {
            metrics.copyErrors.increment();
            throw e;
        }
        metrics.copyBytes.add(segment.sizeBytes());
        log.onSegmentCopied(segment.nextOffset());
        LOGGER.info("Copied segment {} of {} to the bucket ({} bytes, offsets {} to {}) in {} ms",
                segment.baseOffset(), log.topicPartition(), segment.sizeBytes(), segment.baseOffset(),
                segment.nextOffset() - 1, clock.millis() - started);
    }

    /**
     * Adds the sidecar's dense time entries to the partition's time index, as partition-wide running
     * maxima: every record that raises the running maximum gets an entry, so that ListOffsets by
     * timestamp is answered for remote-only segments from RocksDB alone, without reading the bucket.
     */
    private void addTimeEntries(IndexBatch writes, PartitionLog log, long baseOffset, SegmentSidecar sidecar) {
        long runningMax = index.timeIndex().lastBelowOffset(log.key(), baseOffset)
                .map(e -> e.maxTimestamp()).orElse(RecordBatch.NO_TIMESTAMP);
        for (SegmentSidecar.TimeEntry entry : sidecar.times()) {
            if (entry.maxTimestamp() > runningMax) {
                runningMax = entry.maxTimestamp();
                index.timeIndex().put(writes, log.key(), runningMax, entry.offset());
            }
        }
    }

    private void record(PartitionLog log, RemoteSegment segment, boolean sync) {
        try (IndexBatch writes = index.newBatch()) {
            index.remoteSegments().put(writes, log.key(), segment);
            writes.commit(sync);
        }
    }
}
