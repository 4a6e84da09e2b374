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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 * consumer groups from their {@link GroupManifest}s (an offset is restored only when its topic, by name and
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

    public BucketRestore(ObjectStore store, RocksDbIndexStore index) {
        this.store = store;
        this.index = index;
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
        List<ObjectInfo> objects = store.listAll(RemoteLayout.TOPICS).join();
        Map<String, ObjectInfo> byKey = new HashMap<>();
        objects.forEach(object -> byKey.put(object.key(), object));
        List<TopicRecord> found = new ArrayList<>();
        for (ObjectInfo object : objects) {
            if (object.key().endsWith("/" + RemoteLayout.TOPIC_MANIFEST)) {
                BucketObjectChecks.checkSize(object.key(), object.size(), BucketObjectChecks.MAX_MANIFEST_BYTES);
                TopicManifest manifest;
                try {
                    manifest = TopicManifest.fromJson(store.get(object.key()).join());
                } catch (IllegalArgumentException e) {
                    throw new BucketObjectChecks.BadBucketObjectException(object.key(), "is unreadable: "
                            + e.getMessage());
                }
                found.add(BucketObjectChecks.topic(object.key(), manifest));
            }
        }
        Set<java.util.UUID> deleting = index.topicDeletions().list().stream().map(TopicRecord::topicId)
                .collect(Collectors.toSet());
        found.removeIf(topic -> deleting.contains(topic.topicId()));
        List<TopicRecord> deleted = new ArrayList<>();
        List<TopicRecord> topics = liveIncarnations(found, byKey.keySet(), deleted);
        if (topics.isEmpty()) {
            recordDeletions(deleted);
            return new Result(List.of(), deleted);
        }
        long started = System.currentTimeMillis();
        List<PartitionToRestore> partitions = new ArrayList<>();
        for (TopicRecord topic : topics) {
            for (int p = 0; p < topic.partitions(); p++) {
                String key = RemoteLayout.partitionManifest(new TopicPartition(topic.name(), p), topic.topicId());
                ObjectInfo object = byKey.get(key);
                if (object != null) {
                    partitions.add(new PartitionToRestore(topic, p, partitionManifest(object, topic, p)));
                }
            }
        }
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

    /**
     * One incarnation per topic name (incarnations this broker is deleting were left out before): of those
     * without a tombstone ({@link TopicObjectDeleter}), the newest by
     * creation time (a name can only be created again after its previous incarnation was deleted). The others
     * go to {@code deleted}.
     */
    private static List<TopicRecord> liveIncarnations(List<TopicRecord> found, Set<String> keys,
                                                      List<TopicRecord> deleted) {
        Map<String, List<TopicRecord>> byName = new TreeMap<>();
        found.forEach(topic -> byName.computeIfAbsent(topic.name(), n -> new ArrayList<>()).add(topic));
        List<TopicRecord> live = new ArrayList<>();
        for (List<TopicRecord> incarnations : byName.values()) {
            Optional<TopicRecord> newest = incarnations.stream()
                    .filter(t -> !keys.contains(RemoteLayout.topicTombstone(t.name(), t.topicId())))
                    .max(Comparator.comparingLong(TopicRecord::createdMs)
                            .thenComparing(t -> RemoteLayout.kafkaId(t.topicId())));
            newest.ifPresent(live::add);
            for (TopicRecord topic : incarnations) {
                if (newest.isEmpty() || !newest.get().equals(topic)) {
                    deleted.add(topic);
                    LOGGER.warn("Not restoring topic {} with id {} (created {}): {}; its objects will be deleted",
                            topic.name(), RemoteLayout.kafkaId(topic.topicId()),
                            java.time.Instant.ofEpochMilli(topic.createdMs()),
                            newest.isEmpty() ? "its deletion was under way"
                                    : "a newer incarnation with id " + RemoteLayout.kafkaId(newest.get().topicId())
                                    + " exists");
                }
            }
        }
        return live;
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
        String key = RemoteLayout.CLUSTER_MANIFEST;
        Optional<ObjectInfo> head = store.head(key).join();
        if (head.isEmpty()) {
            return Optional.empty();
        }
        BucketObjectChecks.checkSize(key, head.get().size(), BucketObjectChecks.MAX_MANIFEST_BYTES);
        return Optional.of(ClusterManifest.fromJson(key, store.get(key).join()));
    }

    /** The partition manifest {@code object} of partition {@code p} of {@code topic}, read and checked. */
    private PartitionManifest partitionManifest(ObjectInfo object, TopicRecord topic, int p) {
        String key = object.key();
        BucketObjectChecks.checkSize(key, object.size(), BucketObjectChecks.MAX_MANIFEST_BYTES);
        PartitionManifest manifest;
        try {
            manifest = PartitionManifest.fromJson(store.get(key).join());
        } catch (IllegalArgumentException e) {
            throw new BucketObjectChecks.BadBucketObjectException(key, "is unreadable: " + e.getMessage());
        }
        BucketObjectChecks.partition(key, manifest, topic, p);
        return manifest;
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
        PartitionManifest manifest = partitionManifest(manifestObject, topic, partition);
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
        Map<String, TopicRecord> byName = topics.stream().collect(Collectors.toMap(TopicRecord::name, t -> t));
        List<String> keys = store.listAll(RemoteLayout.GROUPS).join().stream().map(ObjectInfo::key)
                .filter(key -> RemoteLayout.groupIdOf(key).isPresent()).toList();
        int groups = 0;
        int restored = 0;
        int skipped = 0;
        for (String key : keys) {
            GroupManifest manifest;
            try {
                manifest = GroupManifest.fromJson(store.get(key).join());
            } catch (IllegalArgumentException e) {
                LOGGER.warn("Skipped {}: {}; that group's consumers start from auto.offset.reset", key, e.getMessage());
                continue;
            }
            Map<String, String> skippedTopics = new TreeMap<>();
            try (IndexBatch writes = index.newBatch()) {
                for (GroupManifest.PartitionOffset offset : manifest.offsets()) {
                    TopicRecord topic = byName.get(offset.topic());
                    if (topic == null || !RemoteLayout.kafkaId(topic.topicId()).equals(offset.topicId())
                            || offset.partition() >= topic.partitions()) {
                        skippedTopics.put(offset.topic(), offset.topicId());
                        skipped++;
                        continue;
                    }
                    index.groupOffsets().put(writes, offset.toGroupOffset(manifest.groupId()));
                    restored++;
                }
                writes.commit(false);
            }
            skippedTopics.forEach((topic, id) -> LOGGER.info("Skipped the committed offsets of group {} for topic {}"
                    + " (id {}): the bucket has no such topic or partition (deleted or re-created)",
                    manifest.groupId(), topic, id));
            groups++;
        }
        if (groups > 0) {
            LOGGER.info("Restored the committed offsets of {} group(s), {} partition offset(s), from the bucket;"
                    + " skipped {} of topics no longer there", groups, restored, skipped);
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
