package io.strata.tiering.remote;

import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.log.BatchRecordsValidator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Utils;

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
     * CRC-32C matches and every record of its compressed batches can be read (when {@code checksums};
     * this downloads every segment, one at a time through a temporary file; a batch that cannot be read
     * is an {@code UNREADABLE_BATCH} problem naming its offsets), and its sidecar parses
     * and covers the segment's offsets. Reports unreadable manifests (group manifests included), missing objects,
     * mismatches and orphans (objects under {@code topics/} that no manifest references; group objects live under
     * {@code groups/} and are never orphans, nor are the producer-state objects of a listed topic's partitions).
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
                    problems.addAll(checkSegment(segmentKey, segment, objects.get(segmentKey), checksums));
                    checkIndex(indexKey, segment, objects.get(indexKey)).ifPresent(problems::add);
                }
            }
        }
        for (String key : objects.keySet()) {
            if (!referenced.contains(key) && !isProducerStateOfListedTopic(key, inventory)) {
                problems.add(new Problem("ORPHAN", key, "no manifest references it"));
            }
        }
        return problems;
    }

    /** A partition's producer-state object ({@link ProducerStateObjects}) under a topic the bucket lists. */
    private static boolean isProducerStateOfListedTopic(String key, Inventory inventory) {
        return RemoteLayout.producerStateEndOf(key).isPresent() && inventory.topics().stream()
                .anyMatch(view -> key.startsWith(RemoteLayout.topicPrefix(view.topic().name(),
                        RemoteLayout.fromKafkaId(view.topic().topicId()))));
    }

    private List<Problem> checkSegment(String key, ManifestSegment segment, ObjectInfo object, boolean checksums) {
        if (object == null) {
            return List.of(new Problem("MISSING", key, "listed in the manifest"));
        }
        if (object.size() != segment.sizeBytes()) {
            return List.of(new Problem("SIZE", key, "object has " + object.size() + " bytes, manifest says "
                    + segment.sizeBytes()));
        }
        if (!checksums) {
            return List.of();
        }
        SegmentCheck check = download(key, object.size());
        if (check.crc32c() != segment.crc32cValue()) {
            return List.of(new Problem("CHECKSUM", key, "crc32c " + ManifestSegment.hex(check.crc32c())
                    + ", manifest says " + segment.crc32c()));
        }
        return check.unreadable().stream().map(reason -> new Problem("UNREADABLE_BATCH", key, reason)).toList();
    }

    /** A downloaded segment's CRC-32C, and why each of its unreadable compressed batches cannot be read. */
    private record SegmentCheck(int crc32c, List<String> unreadable) {
    }

    /**
     * Downloads a segment object in ranges into a temporary file (memory stays bounded), computing its
     * CRC-32C, then reads every record of its compressed batches ({@link BatchRecordsValidator}).
     */
    private SegmentCheck download(String key, long size) {
        Path copy = null;
        try {
            copy = Files.createTempFile("strata-verify-", ".log");
            CRC32C crc = new CRC32C();
            try (FileChannel out = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                for (long position = 0; position < size; position += VERIFY_READ_BYTES) {
                    ByteBuffer bytes = store.getRange(key, position,
                            (int) Math.min(VERIFY_READ_BYTES, size - position)).join();
                    crc.update(bytes.duplicate());
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                }
            }
            return new SegmentCheck((int) crc.getValue(), unreadableBatches(copy));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + key + " in a temporary file", e);
        } finally {
            if (copy != null) {
                copy.toFile().delete();
            }
        }
    }

    /** Why each compressed batch of a segment file whose records cannot be read fails, oldest first. */
    private static List<String> unreadableBatches(Path segment) throws IOException {
        List<String> unreadable = new ArrayList<>();
        try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
            for (FileChannelRecordBatch batch : records.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2 || !batch.isCompressed()) {
                    continue;
                }
                ByteBuffer bytes = ByteBuffer.allocate(batch.sizeInBytes());
                Utils.readFully(records.channel(), bytes, batch.position());
                try {
                    BatchRecordsValidator.validate(bytes.flip(), Integer.MAX_VALUE, "this segment");
                } catch (KafkaException e) {
                    unreadable.add(e.getMessage());
                }
            }
        } catch (KafkaException e) {
            unreadable.add("its batches cannot be parsed: " + BatchRecordsValidator.reason(e));
        }
        return unreadable;
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
