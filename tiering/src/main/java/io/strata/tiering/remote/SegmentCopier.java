package io.strata.tiering.remote;

import io.strata.index.IndexBatch;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.SegmentRecord;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PreconditionFailedException;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a partition's sealed segments to the bucket, oldest first, one at a time. Each copy walks
 * Kafka's states, persisted in RocksDB so that a crash at any step is resumed by copying again
 * (every step is idempotent: the keys are deterministic, and an object already under a key is kept
 * when it holds exactly the bytes being copied):
 * <ol>
 *   <li>COPY_STARTED is recorded;</li>
 *   <li>the segment object and its index sidecar are PUT with {@code If-None-Match: *}, so a copy
 *       never replaces an object (a multipart upload that fails is aborted, so no partial object
 *       ever exists under a key). When an object is already there (412), it is read back: the same
 *       bytes (same size and CRC-32C as the file, for the segment) are an earlier attempt of this same copy and
 *       count as copied; other bytes were written by another broker under the same prefix, and the
 *       broker is fenced ({@link PrefixLease#fence}) instead of overwriting them;</li>
 *   <li>the {@link UploadFence} is asked whether this broker may still record the upload (always yes in
 *       single-broker mode); a no stops here, the segment staying in COPY_STARTED and the manifest untouched
 *       ({@link UploadFencedException}); an error or no answer within {@value #FENCE_TIMEOUT_MS} ms is retried
 *       like a failed PUT;</li>
 *   <li>the manifest is rewritten to list the segment;</li>
 *   <li>COPY_FINISHED is recorded and the log learns that the offsets are in the bucket, which
 *       lets local retention delete the local copy.</li>
 * </ol>
 * A segment holding batches whose records cannot be read (compressed data an older broker accepted
 * without decompressing it) is copied as it is, byte for byte, so that the partition's later segments
 * follow it and local retention may then delete it like any other; it is reported once copied: one
 * WARN line naming the partition, the segment and the first unreadable batch, the copy error counter
 * and {@link RemoteMetrics#unreadableSegments()}. {@code strata inspect verify} lists such batches.
 * Blocking; runs on the remote tier's copy threads, one partition per thread.
 */
final class SegmentCopier {

    private static final Logger LOGGER = LoggerFactory.getLogger(SegmentCopier.class);
    private static final int VERIFY_CHUNK_BYTES = 8 << 20;
    /** How long the copy waits for the {@link UploadFence}'s answer before it counts as a failure. */
    static final long FENCE_TIMEOUT_MS = 30_000;

    private final ObjectStore store;
    private final RocksDbIndexStore index;
    private final ManifestWriter manifests;
    private final RateLimiter limiter;
    private final RemoteMetrics metrics;
    private final Clock clock;
    private final PrefixLease lease;
    private volatile UploadFence fence = UploadFence.ALWAYS;

    SegmentCopier(ObjectStore store, RocksDbIndexStore index, ManifestWriter manifests, RateLimiter limiter,
                  RemoteMetrics metrics, Clock clock, PrefixLease lease) {
        this.store = store;
        this.index = index;
        this.manifests = manifests;
        this.limiter = limiter;
        this.metrics = metrics;
        this.clock = clock;
        this.lease = lease;
    }

    /** Sets the fence asked before each upload is cataloged. */
    void setFence(UploadFence newFence) {
        this.fence = java.util.Objects.requireNonNull(newFence, "fence");
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
        ScannedSegment scan = scan(log, segment, file);
        RemoteSegment copying = new RemoteSegment(segment.baseOffset(), segment.nextOffset(), segment.sizeBytes(),
                scan.firstTimestamp(), scan.maxTimestamp(), scan.offsetOfMaxTimestamp(), scan.crc32c(), -1,
                RemoteSegmentState.COPY_STARTED);
        record(log, copying, false);
        limiter.acquire(segment.sizeBytes());
        try {
            String segmentKey = RemoteLayout.segment(log.topicPartition(), log.key().topicId(), segment.baseOffset());
            putOnce(segmentKey, () -> store.putFile(segmentKey, file, PutCondition.IF_ABSENT).join(),
                    () -> holdsFile(segmentKey, file));
            byte[] sidecar = scan.sidecar().encode();
            String indexKey = RemoteLayout.index(log.topicPartition(), log.key().topicId(), segment.baseOffset());
            putOnce(indexKey, () -> store.put(indexKey, sidecar, PutCondition.IF_ABSENT).join(),
                    () -> Arrays.equals(store.get(indexKey).join(), sidecar));
            confirm(log, segment);
            RemoteSegment finished = copying.withState(RemoteSegmentState.COPY_FINISHED, clock.millis());
            manifests.write(log, Optional.of(finished));
            fence.manifested(log.topicPartition(), segment.nextOffset());
            try (IndexBatch writes = index.newBatch()) {
                index.remoteSegments().put(writes, log.key(), finished);
                addTimeEntries(writes, log, segment.baseOffset(), scan.sidecar());
                writes.commit(true);
            }
        } catch (UploadFencedException e) {
            throw e;
        } catch (RuntimeException e) {
            metrics.copyErrors.increment();
            throw e;
        }
        metrics.copyBytes.add(segment.sizeBytes());
        if (!scan.unreadable().isEmpty()) {
            metrics.copyErrors.increment();
            metrics.unreadableSegments.increment();
            LOGGER.warn("Copied segment {} of {} to the bucket as it is, but {} of its batches cannot be read"
                    + " (first: {}); their time index entries come from the batch headers, and consumers must"
                    + " seek past them", segment.baseOffset(), log.topicPartition(), scan.unreadable().size(),
                    scan.unreadable().get(0));
        }
        log.onSegmentCopied(segment.nextOffset());
        LOGGER.info("Copied segment {} of {} to the bucket ({} bytes, offsets {} to {}) in {} ms",
                segment.baseOffset(), log.topicPartition(), segment.sizeBytes(), segment.baseOffset(),
                segment.nextOffset() - 1, clock.millis() - started);
    }

    /**
     * Asks the {@link UploadFence} whether the upload of {@code segment} may be cataloged.
     *
     * @throws UploadFencedException when it says no (logged here, once per refusal)
     * @throws java.util.concurrent.CompletionException when it failed or did not answer in time (retried)
     */
    private void confirm(PartitionLog log, SegmentRecord segment) {
        confirm(log.topicPartition(), segment.nextOffset(), "segment " + segment.baseOffset() + " (offsets "
                + segment.baseOffset() + " to " + (segment.nextOffset() - 1) + ", already in the bucket)");
    }

    /** As above, for offsets below {@code end} of {@code tp}, described in the log line as {@code what}. */
    void confirm(TopicPartition tp, long end, String what) {
        boolean confirmed = fence.confirm(tp, end).copy()
                .orTimeout(FENCE_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).join();
        if (!confirmed) {
            LOGGER.warn("Not cataloging {} of {}: the upload fence says this broker no longer leads the partition;"
                    + " the manifest is left as it is and uploads of {} stop until it is reopened", what, tp, tp);
            throw new UploadFencedException(tp, "the upload fence refused " + what + " of " + tp);
        }
    }

    /** Reads the segment once for its checksum and sidecar; a read failure counts as a copy error. */
    private ScannedSegment scan(PartitionLog log, SegmentRecord segment, Path file) {
        try {
            return ScannedSegment.scan(file, segment.baseOffset(), segment.nextOffset(), segment.sizeBytes(),
                    log.config().indexIntervalBytes());
        } catch (IOException e) {
            metrics.copyErrors.increment();
            throw new UncheckedIOException("cannot read " + file + " for upload", e);
        }
    }

    /**
     * Runs {@code put} (a PUT with If-None-Match); when an object is already under {@code key}, keeps it if
     * {@code alreadyThere} says it holds the same bytes, and otherwise fences the broker.
     */
    private void putOnce(String key, Runnable put, BooleanSupplier alreadyThere) {
        try {
            put.run();
            metrics.copyRequests.increment();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof PreconditionFailedException)) {
                throw e;
            }
            if (!alreadyThere.getAsBoolean()) {
                lease.fence("the bucket already holds a different object " + key + ": another broker writes under "
                        + "the same prefix; it was not overwritten");
                throw new WriterFencedException("fenced: another writer's object at " + key, false);
            }
            LOGGER.info("{} is already in the bucket with the same bytes (an earlier attempt of this copy); kept", key);
        }
    }

    /** Whether the object under {@code key} has the size and CRC-32C of {@code file}, read in 8 MiB ranges. */
    private boolean holdsFile(String key, Path file) {
        long size;
        int expected;
        try {
            size = Files.size(file);
            expected = ScannedSegment.checksum(file, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to compare it with " + key, e);
        }
        Optional<ObjectInfo> info = store.head(key).join();
        if (info.isEmpty() || info.get().size() != size) {
            return false;
        }
        CRC32C crc = new CRC32C();
        for (long position = 0; position < size; ) {
            int length = (int) Math.min(VERIFY_CHUNK_BYTES, size - position);
            ByteBuffer chunk = store.getRange(key, position, length).join();
            if (!chunk.hasRemaining()) {
                return false;
            }
            position += chunk.remaining();
            crc.update(chunk);
        }
        return (int) crc.getValue() == expected;
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
