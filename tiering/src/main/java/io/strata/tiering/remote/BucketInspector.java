package io.strata.tiering.remote;

import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a bucket the way a user would, from the bucket alone (no broker, no RocksDB): which topics,
 * partitions and segments it holds according to the manifests, and whether the objects agree with
 * them. Backs {@code strata inspect}. Blocking.
 */
public final class BucketInspector {

    private static final int VERIFY_READ_BYTES = 8 * 1024 * 1024;

    private final ObjectStore store;

    public BucketInspector(ObjectStore store) {
        this.store = store;
    }

    /** A topic manifest and the manifests of its partitions that exist (by partition number). */
    public record TopicView(String key, TopicManifest topic, Map<Integer, PartitionManifest> partitions) {
    }

    /**
     * Everything under {@code topics/} (the parsed manifests and every object) and the group manifests under
     * {@code groups/}, by group id.
     */
    public record Inventory(List<TopicView> topics, Map<String, ObjectInfo> objects, List<GroupManifest> groups,
                            List<String> unreadable) {
    }

    /** One disagreement between the manifests and the objects. */
    public record Problem(String kind, String key, String detail) {
        @Override
        public String toString() {
            return kind + " " + key + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    public Inventory inventory() {
        Map<String, ObjectInfo> objects = new TreeMap<>();
        for (ObjectInfo object : store.listAll(RemoteLayout.TOPICS).join()) {
            objects.put(object.key(), object);
        }
        List<TopicView> topics = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (String key : objects.keySet()) {
            if (!key.endsWith("/" + RemoteLayout.TOPIC_MANIFEST)) {
                continue;
            }
            TopicManifest topic;
            try {
                topic = TopicManifest.fromJson(store.get(key).join());
            } catch (RuntimeException e) {
                unreadable.add(key + ": " + e.getMessage());
                continue;
            }
            Map<Integer, PartitionManifest> partitions = new TreeMap<>();
            for (int p = 0; p < topic.partitions(); p++) {
                String manifestKey = RemoteLayout.partitionManifest(new TopicPartition(topic.name(), p),
                        RemoteLayout.fromKafkaId(topic.topicId()));
                if (objects.containsKey(manifestKey)) {
                    try {
                        partitions.put(p, PartitionManifest.fromJson(store.get(manifestKey).join()));
                    } catch (RuntimeException e) {
                        unreadable.add(manifestKey + ": " + e.getMessage());
                    }
                }
            }
            topics.add(new TopicView(key, topic, partitions));
        }
        return new Inventory(topics, objects, groups(unreadable), unreadable);
    }

    private List<GroupManifest> groups(List<String> unreadable) {
        List<GroupManifest> groups = new ArrayList<>();
        for (ObjectInfo object : store.listAll(RemoteLayout.GROUPS).join()) {
            try {
                groups.add(GroupManifest.fromJson(store.get(object.key()).join()));
            } catch (RuntimeException e) {
                unreadable.add(object.key() + ": " + e.getMessage());
            }
        }
        groups.sort(java.util.Comparator.comparing(GroupManifest::groupId));
        return groups;
    }

    /**
     * Checks every segment the manifests list: both objects exist, the segment's size matches, its
     * CRC-32C matches (when {@code checksums}; this downloads every segment), and its sidecar parses
     * and covers the segment's offsets. Reports unreadable manifests (group manifests included), missing objects,
     * mismatches and orphans (objects under {@code topics/} that no manifest references; group objects live under
     * {@code groups/} and are never orphans).
     */
    public List<Problem> verify(Inventory inventory, boolean checksums) {
        List<Problem> problems = new ArrayList<>();
        for (String unreadable : inventory.unreadable()) {
            problems.add(new Problem("UNREADABLE", unreadable, ""));
        }
        Set<String> referenced = new HashSet<>();
        Map<String, ObjectInfo> objects = inventory.objects();
        for (TopicView view : inventory.topics()) {
            referenced.add(view.key());
            for (Map.Entry<Integer, PartitionManifest> entry : view.partitions().entrySet()) {
                TopicPartition tp = new TopicPartition(view.topic().name(), entry.getKey());
                var topicId = RemoteLayout.fromKafkaId(view.topic().topicId());
                referenced.add(RemoteLayout.partitionManifest(tp, topicId));
                for (ManifestSegment segment : entry.getValue().segments()) {
                    String segmentKey = RemoteLayout.segment(tp, topicId, segment.baseOffset());
                    String indexKey = RemoteLayout.index(tp, topicId, segment.baseOffset());
                    referenced.add(segmentKey);
                    referenced.add(indexKey);
                    checkSegment(segmentKey, segment, objects.get(segmentKey), checksums).ifPresent(problems::add);
                    checkIndex(indexKey, segment, objects.get(indexKey)).ifPresent(problems::add);
                }
            }
        }
        for (String key : objects.keySet()) {
            if (!referenced.contains(key)) {
                problems.add(new Problem("ORPHAN", key, "no manifest references it"));
            }
        }
        return problems;
    }

    private Optional<Problem> checkSegment(String key, ManifestSegment segment, ObjectInfo object, boolean checksums) {
        if (object == null) {
            return Optional.of(new Problem("MISSING", key, "listed in the manifest"));
        }
        if (object.size() != segment.sizeBytes()) {
            return Optional.of(new Problem("SIZE", key, "object has " + object.size() + " bytes, manifest says "
                    + segment.sizeBytes()));
        }
        if (checksums) {
            int crc = crc32c(key, object.size());
            if (crc != segment.crc32cValue()) {
                return Optional.of(new Problem("CHECKSUM", key, "crc32c " + ManifestSegment.hex(crc)
                        + ", manifest says " + segment.crc32c()));
            }
        }
        return Optional.empty();
    }

    private Optional<Problem> checkIndex(String key, ManifestSegment segment, ObjectInfo object) {
        if (object == null) {
            return Optional.of(new Problem("MISSING", key, "index sidecar of a listed segment"));
        }
        try {
            SegmentSidecar sidecar = SegmentSidecar.decode(store.get(key).join());
            if (sidecar.baseOffset() != segment.baseOffset() || sidecar.nextOffset() != segment.lastOffset() + 1) {
                return Optional.of(new Problem("INDEX", key, "covers offsets " + sidecar.baseOffset() + ".."
                        + (sidecar.nextOffset() - 1) + ", manifest says " + segment.baseOffset() + ".."
                        + segment.lastOffset()));
            }
        } catch (RuntimeException e) {
            return Optional.of(new Problem("INDEX", key, e.getMessage()));
        }
        return Optional.empty();
    }

    /** CRC-32C of a whole object, read in ranges so that memory stays bounded. */
    private int crc32c(String key, long size) {
        CRC32C crc = new CRC32C();
        for (long position = 0; position < size; position += VERIFY_READ_BYTES) {
            ByteBuffer bytes = store.getRange(key, position, (int) Math.min(VERIFY_READ_BYTES, size - position)).join();
            crc.update(bytes);
        }
        return (int) crc.getValue();
    }

    /** Objects per topic manifest key, for summaries. */
    public static Map<String, Long> bytesByTopic(Inventory inventory) {
        Map<String, Long> bytes = new HashMap<>();
        for (TopicView view : inventory.topics()) {
            String prefix = view.key().substring(0, view.key().length() - RemoteLayout.TOPIC_MANIFEST.length());
            long total = inventory.objects().values().stream().filter(o -> o.key().startsWith(prefix))
                    .mapToLong(ObjectInfo::size).sum();
            bytes.put(view.topic().name(), total);
        }
        return bytes;
    }
}
