package io.strata.tiering.remote;

import io.strata.index.IndexBatch;
import io.strata.index.PartitionKey;
import io.strata.index.PartitionState;
import io.strata.index.RemoteSegment;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.StartRefusedException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds an empty RocksDB store from the bucket alone: topics from their {@link TopicManifest}s,
 * each partition's remote segment catalog and log start offset from its {@link PartitionManifest},
 * and the offset and time indexes from the segments' {@link SegmentSidecar}s, and the committed offsets of
 * consumer groups from their {@link GroupManifest}s, read and checked by {@link BucketManifests} (an offset is restored only when its topic, by name and
 * id, is among the restored topics and has the partition). No segment object is
 * downloaded. Progress (partitions, segments, percentage) goes to the log. Topics are written last,
 * so a restore interrupted by a crash simply runs again at the next start. Blocking; runs once,
 * before the logs open.
 *
 * <p>Everything read from the bucket is untrusted: sizes are checked before a download, names, partition
 * counts, offsets and positions before they reach a path, an allocation or the catalog
 * ({@link BucketObjectChecks}); a bad object stops the restore with a message naming it. The listing is older than
 * the manifests read after it, so an index object a manifest names but the listing lacks is looked up again (HEAD)
 * before it counts as missing: other brokers upload while this one restores. When the bucket
 * holds two incarnations of one topic name (a deletion whose bucket part had not finished), the newest one
 * without a deletion tombstone is restored and the other is recorded as a pending deletion.
 */
public final class BucketRestore {

    private static final Logger LOGGER = LoggerFactory.getLogger(BucketRestore.class);
    private static final int SIDECARS_IN_FLIGHT = 16;
    private static final long PROGRESS_EVERY_MS = 2_000;
    private static final int FEW_PARTITIONS = 50;

    private final ObjectStore store;
    private final RocksDbIndexStore index;
    private final BucketManifests manifests;

    public BucketRestore(ObjectStore store, RocksDbIndexStore index) {
        this.store = store;
        this.index = index;
        this.manifests = new BucketManifests(store);
    }

    private record PartitionToRestore(TopicRecord topic, int partition, PartitionManifest manifest) {
    }

    /**
     * What a restore found.
     *
     * @param topics   the live topics restored
     * @param deleted  incarnations found in the bucket that are being deleted (a tombstone) or superseded by a
     *                 newer incarnation of the same name: recorded as pending deletions, not restored
     */
    public record Result(List<TopicRecord> topics, List<TopicRecord> deleted) {
    }

    /** Restores every live topic found in the bucket. */
    public Result restoreAll() {
        Set<java.util.UUID> deleting = index.topicDeletions().list().stream().map(TopicRecord::topicId)
                .collect(Collectors.toSet());
        BucketManifests.Topics listing = manifests.topics(deleting);
        List<TopicRecord> topics = listing.live();
        List<TopicRecord> deleted = listing.deleted();
        if (topics.isEmpty()) {
            recordDeletions(deleted);
            return new Result(List.of(), deleted);
        }
        long started = System.currentTimeMillis();
        List<PartitionToRestore> partitions = new ArrayList<>();
        for (TopicRecord topic : topics) {
            for (int p = 0; p < topic.partitions(); p++) {
                int partition = p;
                manifests.partitionManifest(listing, topic, p)
                        .ifPresent(manifest -> partitions.add(new PartitionToRestore(topic, partition, manifest)));
            }
        }
        Map<String, ObjectInfo> byKey = listing.objects();
        long totalSegments = partitions.stream().mapToLong(p -> p.manifest().segments().size()).sum();
        LOGGER.info("Restoring {} topic(s), {} partition(s) with data, {} segment(s) from the bucket", topics.size(),
                partitions.size(), totalSegments);
        Progress progress = new Progress(partitions.size(), totalSegments);
        for (PartitionToRestore partition : partitions) {
            restorePartition(partition, byKey, progress);
        }
        restoreGroupOffsets(topics);
        recordDeletions(deleted);
        try (IndexBatch writes = index.newBatch()) {
            for (TopicRecord topic : topics) {
                index.topics().put(writes, topic);
            }
            writes.commit(true);
        }
        LOGGER.info("Restored {} topic(s), {} partition(s), {} segment(s) from the bucket in {} ms", topics.size(),
                partitions.size(), totalSegments, System.currentTimeMillis() - started);
        return new Result(List.copyOf(topics), List.copyOf(deleted));
    }

    /** Records the deletion of the incarnations not restored, so that the broker finishes deleting their objects. */
    private void recordDeletions(List<TopicRecord> deleted) {
        try (IndexBatch writes = index.newBatch()) {
            deleted.forEach(topic -> index.topicDeletions().put(writes, topic));
            writes.commit(true);
        }
    }

    /** The bucket's cluster manifest, checked; empty when there is none. */
    public Optional<ClusterManifest> clusterManifest() {
        return manifests.clusterManifest();
    }

    /**
     * Where a restored partition's offsets are.
     *
     * @param logStartOffset the log start offset of the partition's manifest (0 without one)
     * @param endOffset      one past the last offset of its segments in the bucket ({@code logStartOffset} with none)
     */
    public record RestoredPartition(long logStartOffset, long endOffset) {
    }

    /**
     * Rebuilds the catalog of one partition from the bucket, as {@link #restoreAll} does for each (every catalog
     * entry of the partition is replaced: the remote segments, log start offset and index entries from its manifest
     * and sidecars; local segments and producer state are forgotten). A partition without a manifest has nothing in
     * the bucket and restores empty. Does not touch the topic's entry. Blocking.
     *
     * @throws IllegalStateException (a {@link StartRefusedException}) naming the object when one fails its checks
     */
    public RestoredPartition restorePartition(TopicRecord topic, int partition) {
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        Map<String, ObjectInfo> byKey = new HashMap<>();
        store.listAll(RemoteLayout.partitionPrefix(tp, topic.topicId())).join()
                .forEach(object -> byKey.put(object.key(), object));
        ObjectInfo manifestObject = byKey.get(RemoteLayout.partitionManifest(tp, topic.topicId()));
        if (manifestObject == null) {
            index.deletePartition(new PartitionKey(topic.topicId(), partition), true);
            LOGGER.info("{} has no manifest in the bucket: nothing to restore", tp);
            return new RestoredPartition(0, 0);
        }
        PartitionManifest manifest = manifests.partitionManifest(manifestObject, topic, partition);
        long end = restorePartition(new PartitionToRestore(topic, partition, manifest), byKey,
                new Progress(1, manifest.segments().size()));
        return new RestoredPartition(manifest.logStartOffset(), end);
    }

    /** Restores one partition's catalog; returns one past the last offset of its segments. */
    private long restorePartition(PartitionToRestore partition, Map<String, ObjectInfo> objects, Progress progress) {
        TopicPartition tp = new TopicPartition(partition.topic().name(), partition.partition());
        PartitionKey key = new PartitionKey(partition.topic().topicId(), partition.partition());
        index.deletePartition(key, false);
        List<ManifestSegment> segments = partition.manifest().segments();
        long runningMax = RecordBatch.NO_TIMESTAMP;
        long end = partition.manifest().logStartOffset();
        for (int from = 0; from < segments.size(); from += SIDECARS_IN_FLIGHT) {
            List<ManifestSegment> window = segments.subList(from, Math.min(segments.size(), from + SIDECARS_IN_FLIGHT));
            List<CompletableFuture<byte[]>> sidecars = new ArrayList<>();
            for (ManifestSegment segment : window) {
                String sidecarKey = RemoteLayout.index(tp, key.topicId(), segment.baseOffset());
                ObjectInfo object = objects.get(sidecarKey);
                if (object == null) {
                    // the listing was taken before the manifest was read: a segment uploaded meanwhile (by the
                    // broker leading the partition) has its index object written before the manifest names it
                    object = store.head(sidecarKey).join().orElse(null);
                }
                if (object == null) {
                    throw new BucketObjectChecks.BadBucketObjectException(
                            RemoteLayout.partitionManifest(tp, key.topicId()), "lists segment " + segment.baseOffset()
                            + " whose index object " + sidecarKey + " is missing");
                }
                BucketObjectChecks.checkSize(sidecarKey, object.size(), BucketObjectChecks.MAX_SIDECAR_BYTES);
                sidecars.add(store.get(sidecarKey));
            }
            for (int i = 0; i < window.size(); i++) {
                ManifestSegment line = window.get(i);
                String sidecarKey = RemoteLayout.index(tp, key.topicId(), line.baseOffset());
                SegmentSidecar sidecar;
                try {
                    sidecar = SegmentSidecar.decode(sidecars.get(i).join());
                } catch (IllegalArgumentException e) {
                    throw new BucketObjectChecks.BadBucketObjectException(sidecarKey, "is unreadable: "
                            + e.getMessage());
                }
                BucketObjectChecks.sidecar(sidecarKey, sidecar, line);
                RemoteSegment segment = line.toRemoteSegment();
                try (IndexBatch writes = index.newBatch()) {
                    index.remoteSegments().put(writes, key, segment);
                    for (SegmentSidecar.OffsetEntry entry : sidecar.offsets()) {
                        index.offsetIndex().put(writes, key, entry.offset(), segment.baseOffset(), entry.position());
                    }
                    long max = runningMax;
                    for (SegmentSidecar.TimeEntry entry : sidecar.times()) {
                        if (entry.maxTimestamp() > max) {
                            max = entry.maxTimestamp();
                            index.timeIndex().put(writes, key, max, entry.offset());
                        }
                    }
                    writes.commit(false);
                }
                runningMax = Math.max(runningMax, segment.maxTimestamp());
                end = Math.max(end, segment.nextOffset());
                progress.segmentDone();
            }
        }
        try (IndexBatch writes = index.newBatch()) {
            index.partitionStates().put(writes, key, new PartitionState(partition.manifest().logStartOffset(), end));
            writes.commit(true);
        }
        progress.partitionDone(tp);
        return end;
    }

    /** Writes the committed offsets of every group object into RocksDB, skipping those of topics not restored. */
    private void restoreGroupOffsets(List<TopicRecord> topics) {
        int groups = 0;
        int restored = 0;
        int[] skipped = {0};
        for (GroupManifest manifest : manifests.groups()) {
            try (IndexBatch writes = index.newBatch()) {
                for (GroupManifest.PartitionOffset offset : BucketManifests.restorable(manifest, topics,
                        ignored -> skipped[0]++)) {
                    index.groupOffsets().put(writes, offset.toGroupOffset(manifest.groupId()));
                    restored++;
                }
                writes.commit(false);
            }
            groups++;
        }
        if (groups > 0) {
            LOGGER.info("Restored the committed offsets of {} group(s), {} partition offset(s), from the bucket;"
                    + " skipped {} of topics no longer there", groups, restored, skipped[0]);
        }
    }

    /** Logs restore progress at most every {@link #PROGRESS_EVERY_MS}. */
    private static final class Progress {
        private final int partitions;
        private final long segments;
        private int partitionsDone;
        private long segmentsDone;
        private long lastLogMs = System.currentTimeMillis();

        Progress(int partitions, long segments) {
            this.partitions = partitions;
            this.segments = segments;
        }

        void segmentDone() {
            segmentsDone++;
            maybeLog();
        }

        /** Every partition is logged when there are few; with many, progress is logged periodically. */
        void partitionDone(TopicPartition tp) {
            partitionsDone++;
            if (partitions <= FEW_PARTITIONS) {
                LOGGER.info("Restored {}: {}/{} partitions, {}/{} segments ({}%)", tp, partitionsDone, partitions,
                        segmentsDone, segments, segments == 0 ? 100 : segmentsDone * 100 / segments);
                lastLogMs = System.currentTimeMillis();
            } else {
                maybeLog();
            }
        }

        private void maybeLog() {
            long now = System.currentTimeMillis();
            if (now - lastLogMs >= PROGRESS_EVERY_MS) {
                lastLogMs = now;
                LOGGER.info("Restore from the bucket: {}/{} partitions, {}/{} segments ({}%)", partitionsDone,
                        partitions, segmentsDone, segments, segments == 0 ? 100 : segmentsDone * 100 / segments);
            }
        }
    }
}
