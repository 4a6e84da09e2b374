package io.strata.tiering.remote;

import io.strata.index.IndexBatch;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.SegmentRecord;
import io.strata.index.SegmentState;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.config.LogConfig;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.log.RetentionPolicy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Total retention of a tiered partition: {@code retention.ms} and {@code retention.bytes} apply to
 * the whole log, both tiers together, and so does a log start offset moved by DeleteRecords. Expired
 * remote segments go through Kafka's delete states, persisted so that a crash resumes them:
 * <ol>
 *   <li>DELETE_STARTED is recorded and the log start offset advances (readers below it now get
 *       OFFSET_OUT_OF_RANGE; local segments below it are deleted too);</li>
 *   <li>the manifest is rewritten without the segments;</li>
 *   <li>their objects are deleted, then their catalog entries.</li>
 * </ol>
 * The manifest therefore never names a missing object. Blocking; runs on the copy threads.
 */
final class RemoteRetention {

    private static final Logger LOGGER = LoggerFactory.getLogger(RemoteRetention.class);

    private final ObjectStore store;
    private final RocksDbIndexStore index;
    private final ManifestWriter manifests;
    private final ChunkCache cache;
    private final RemoteMetrics metrics;
    private final Clock clock;

    RemoteRetention(ObjectStore store, RocksDbIndexStore index, ManifestWriter manifests, ChunkCache cache,
                    RemoteMetrics metrics, Clock clock) {
        this.store = store;
        this.index = index;
        this.manifests = manifests;
        this.cache = cache;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Applies total retention to {@code log} and finishes deletions a crash interrupted; returns segments deleted. */
    int apply(PartitionLog log) {
        List<RemoteSegment> remote = index.remoteSegments().list(log.key());
        long newStart = expiredUpTo(log, remote);
        if (newStart > log.logStartOffset()) {
            log.advanceLogStartOffset(newStart);
        }
        long start = log.logStartOffset();
        List<RemoteSegment> doomed = new ArrayList<>();
        try (IndexBatch writes = index.newBatch()) {
            for (RemoteSegment segment : remote) {
                if (segment.state() == RemoteSegmentState.DELETE_STARTED || segment.nextOffset() <= start) {
                    RemoteSegment deleting = segment.withState(RemoteSegmentState.DELETE_STARTED, segment.uploadedMs());
                    index.remoteSegments().put(writes, log.key(), deleting);
                    doomed.add(deleting);
                }
            }
            writes.commit(true);
        }
        if (doomed.isEmpty()) {
            return 0;
        }
        manifests.write(log, Optional.empty());
        List<String> keys = new ArrayList<>();
        for (RemoteSegment segment : doomed) {
            String segmentKey = RemoteLayout.segment(log.topicPartition(), log.key().topicId(), segment.baseOffset());
            keys.add(segmentKey);
            keys.add(RemoteLayout.index(log.topicPartition(), log.key().topicId(), segment.baseOffset()));
            cache.invalidate(segmentKey);
        }
        store.deleteAll(keys).join();
        try (IndexBatch writes = index.newBatch()) {
            for (RemoteSegment segment : doomed) {
                index.remoteSegments().delete(writes, log.key(), segment.baseOffset());
            }
            writes.commit(true);
        }
        metrics.deletedSegments.add(doomed.size());
        LOGGER.info("Deleted {} remote segment(s) of {} below offset {}", doomed.size(), log.topicPartition(), start);
        return doomed.size();
    }

    /**
     * The offset the log should start at under total retention: the base of the first segment (of
     * either tier) that {@code retention.ms} / {@code retention.bytes} keep.
     */
    private long expiredUpTo(PartitionLog log, List<RemoteSegment> remote) {
        LogConfig config = log.config();
        List<SegmentRecord> local = log.segmentRecords();
        long localStart = local.get(0).baseOffset();
        List<SegmentRecord> whole = new ArrayList<>();
        for (RemoteSegment segment : remote) {
            if (segment.state() == RemoteSegmentState.COPY_FINISHED && segment.baseOffset() < localStart) {
                whole.add(new SegmentRecord(segment.baseOffset(), segment.nextOffset(), segment.sizeBytes(),
                        segment.maxTimestamp(), segment.offsetOfMaxTimestamp(), segment.uploadedMs(),
                        SegmentState.SEALED));
            }
        }
        whole.addAll(local);
        int count = RetentionPolicy.expiredSegments(whole, config.retentionMs(), config.retentionBytes(),
                log.logStartOffset(), clock.millis());
        return count == 0 ? log.logStartOffset() : whole.get(count).baseOffset();
    }
}
