package io.strata.tiering.remote;

import io.strata.index.TopicRecord;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and checks the manifests a restore from the bucket starts from: topic manifests (one live incarnation per
 * name), partition manifests, group manifests and the cluster manifest. Everything read is untrusted and checked
 * ({@link BucketObjectChecks}); a bad topic or partition manifest stops the reader with a message naming it, an
 * unreadable group manifest is skipped with a warning (its group's consumers start from {@code auto.offset.reset}).
 * Shared by the restore of a broker's local catalog ({@link BucketRestore}) and of the metadata database
 * ({@code io.strata.tiering.restore.MetadataRestore}). Blocking; thread-safe.
 */
public final class BucketManifests {

    private static final Logger LOGGER = LoggerFactory.getLogger(BucketManifests.class);

    private final ObjectStore store;

    public BucketManifests(ObjectStore store) {
        this.store = store;
    }

    /**
     * The topics in the bucket.
     *
     * @param objects every object under {@code topics/}, by key, as listed
     * @param live    one incarnation per topic name: the newest without a deletion tombstone
     * @param deleted incarnations being deleted (a tombstone) or superseded by a newer one of the same name
     */
    public record Topics(Map<String, ObjectInfo> objects, List<TopicRecord> live, List<TopicRecord> deleted) {
    }

    /** Lists {@code topics/} and reads every topic manifest; incarnations with an id in {@code excluded} are left out. */
    public Topics topics(Set<UUID> excluded) {
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
        found.removeIf(topic -> excluded.contains(topic.topicId()));
        List<TopicRecord> deleted = new ArrayList<>();
        List<TopicRecord> live = liveIncarnations(found, byKey.keySet(), deleted);
        return new Topics(byKey, live, deleted);
    }

    /**
     * One incarnation per topic name: of those without a tombstone ({@link TopicObjectDeleter}), the newest by
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
                            topic.name(), RemoteLayout.kafkaId(topic.topicId()), Instant.ofEpochMilli(topic.createdMs()),
                            newest.isEmpty() ? "its deletion was under way"
                                    : "a newer incarnation with id " + RemoteLayout.kafkaId(newest.get().topicId())
                                    + " exists");
                }
            }
        }
        return live;
    }

    /** The manifest of partition {@code p} of {@code topic} as listed in {@code topics}, read and checked; empty without one. */
    public Optional<PartitionManifest> partitionManifest(Topics topics, TopicRecord topic, int p) {
        ObjectInfo object = topics.objects().get(RemoteLayout.partitionManifest(new TopicPartition(topic.name(), p),
                topic.topicId()));
        return Optional.ofNullable(object).map(o -> partitionManifest(o, topic, p));
    }

    /** The partition manifest {@code object} of partition {@code p} of {@code topic}, read and checked. */
    PartitionManifest partitionManifest(ObjectInfo object, TopicRecord topic, int p) {
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

    /** Every readable group manifest under {@code groups/}; an unreadable one is skipped with a warning. */
    public List<GroupManifest> groups() {
        List<String> keys = store.listAll(RemoteLayout.GROUPS).join().stream().map(ObjectInfo::key)
                .filter(key -> RemoteLayout.groupIdOf(key).isPresent()).toList();
        List<GroupManifest> groups = new ArrayList<>();
        for (String key : keys) {
            try {
                groups.add(GroupManifest.fromJson(store.get(key).join()));
            } catch (IllegalArgumentException e) {
                LOGGER.warn("Skipped {}: {}; that group's consumers start from auto.offset.reset", key, e.getMessage());
            }
        }
        return groups;
    }

    /**
     * The offsets of {@code group} whose topic, by name and id, is among {@code topics} and has the partition; the
     * others are logged as skipped (their topic was deleted or re-created) and counted into {@code skipped}.
     */
    public static List<GroupManifest.PartitionOffset> restorable(GroupManifest group, List<TopicRecord> topics,
                                                                 Consumer<GroupManifest.PartitionOffset> skipped) {
        Map<String, TopicRecord> byName = topics.stream().collect(Collectors.toMap(TopicRecord::name, t -> t));
        Map<String, String> skippedTopics = new TreeMap<>();
        List<GroupManifest.PartitionOffset> restorable = new ArrayList<>();
        for (GroupManifest.PartitionOffset offset : group.offsets()) {
            TopicRecord topic = byName.get(offset.topic());
            if (topic == null || !RemoteLayout.kafkaId(topic.topicId()).equals(offset.topicId())
                    || offset.partition() >= topic.partitions()) {
                skippedTopics.put(offset.topic(), offset.topicId());
                skipped.accept(offset);
            } else {
                restorable.add(offset);
            }
        }
        skippedTopics.forEach((topic, id) -> LOGGER.info("Skipped the committed offsets of group {} for topic {}"
                + " (id {}): the bucket has no such topic or partition (deleted or re-created)", group.groupId(),
                topic, id));
        return restorable;
    }

    /**
     * The newest producer-state object of partition {@code p} of {@code topic} ({@link ProducerStateObjects});
     * empty when there is none.
     *
     * @throws IllegalStateException naming the object when it is too big, unreadable or about another partition
     */
    public Optional<ProducerStateSnapshot> newestProducerState(TopicRecord topic, int p) {
        return new ProducerStateObjects(store).newest(new TopicPartition(topic.name(), p), topic.topicId(),
                Long.MAX_VALUE);
    }

    /** What the last batches of a segment say: the highest leader epoch and producer id among them (-1: none). */
    public record SegmentTail(int highestLeaderEpoch, long highestProducerId) {
    }

    /**
     * Reads the batches of {@code segment} (of partition {@code p} of {@code topic}) from its last index entry to its
     * end: its sidecar, then one ranged GET. Leader epochs never decrease along a log, so the last batch carries the
     * segment's highest epoch.
     */
    public SegmentTail segmentTail(TopicRecord topic, int p, ManifestSegment segment) {
        TopicPartition tp = new TopicPartition(topic.name(), p);
        String sidecarKey = RemoteLayout.index(tp, topic.topicId(), segment.baseOffset());
        ObjectInfo sidecarObject = store.head(sidecarKey).join().orElseThrow(() ->
                new BucketObjectChecks.BadBucketObjectException(RemoteLayout.partitionManifest(tp, topic.topicId()),
                        "lists segment " + segment.baseOffset() + " whose index object " + sidecarKey + " is missing"));
        BucketObjectChecks.checkSize(sidecarKey, sidecarObject.size(), BucketObjectChecks.MAX_SIDECAR_BYTES);
        SegmentSidecar sidecar;
        try {
            sidecar = SegmentSidecar.decode(store.get(sidecarKey).join());
        } catch (IllegalArgumentException e) {
            throw new BucketObjectChecks.BadBucketObjectException(sidecarKey, "is unreadable: " + e.getMessage());
        }
        BucketObjectChecks.sidecar(sidecarKey, sidecar, segment);
        long position = sidecar.offsets().isEmpty() ? 0 : sidecar.offsets().get(sidecar.offsets().size() - 1).position();
        String segmentKey = RemoteLayout.segment(tp, topic.topicId(), segment.baseOffset());
        long length = segment.sizeBytes() - position;
        if (length <= 0 || length > Integer.MAX_VALUE) {
            return new SegmentTail(-1, -1);
        }
        ByteBuffer tail = store.getRange(segmentKey, position, (int) length).join();
        int epoch = -1;
        long producerId = -1;
        try {
            for (RecordBatch batch : MemoryRecords.readableRecords(tail).batches()) {
                epoch = Math.max(epoch, batch.partitionLeaderEpoch());
                producerId = Math.max(producerId, batch.producerId());
            }
        } catch (KafkaException e) {
            throw new BucketObjectChecks.BadBucketObjectException(segmentKey, "has unreadable batches after byte "
                    + position + ": " + e.getMessage());
        }
        return new SegmentTail(epoch, producerId);
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
}
