package io.strata.tiering.restore;

import io.strata.index.TopicRecord;
import io.strata.metadata.CommittedOffset;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.RestoredMetadata;
import io.strata.metadata.RestoredMetadata.RestoredPartition;
import io.strata.metadata.RestoredMetadata.RestoredTopic;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.remote.BucketManifests;
import io.strata.tiering.remote.ClusterManifest;
import io.strata.tiering.remote.GroupManifest;
import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import io.strata.tiering.remote.ProducerStateSnapshot;
import io.strata.tiering.wal.WalInspector;
import io.strata.tiering.wal.WalObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rebuilds the metadata database of a cluster from the bucket alone (CLUSTER.md invariant 6, rule 5): backs
 * {@code strata metadata restore}. {@link #read} reads what the bucket holds, {@link #restore} writes it into an
 * empty store in one transaction ({@link MetadataStore#restore}).
 *
 * <p>What comes back, from what:
 * <ul>
 *   <li>topics, with their ids, partition counts and configs: the topic manifests (one live incarnation per name,
 *       read and checked by {@link BucketManifests}, as a broker restoring its local catalog reads them);</li>
 *   <li>each partition's committed end: one past the last offset of the segments its manifest lists (its log start
 *       offset when it lists none, 0 without a manifest);</li>
 *   <li>each partition's leader epoch: one above the highest epoch found for it in the bucket: its manifest's
 *       writer generation (the leader epoch of the leader that wrote it), the last batches of its newest segment
 *       (one sidecar GET and one ranged GET; epochs never decrease along a log), and the entries of the
 *       write-ahead-log objects still in the bucket. Leaderless, with no last leader: the controller gives it to
 *       any live broker;</li>
 *   <li>committed offsets: the group manifests, for topics restored (by name and id) only;</li>
 *   <li>producer ids: allocation restarts at the highest producer id found (the newest producer-state object of
 *       every partition, the last batches read, the cluster manifest's block end) plus {@link #PRODUCER_ID_GAP}.
 *       The producer-state objects are all read (one per partition: older ones are deleted when a new one is
 *       written); the gap covers producer ids handed out after them, which only the lost database recorded.</li>
 * </ul>
 * What is lost by design: records above the segment ends, which only write-ahead-log objects (or brokers' disks)
 * hold; {@link Result#lostTails} lists them by WAL object. Blocking.
 */
public final class MetadataRestore {

    /**
     * Added to the highest producer id found: more producer ids than a cluster hands out in decades (2^40, 34 years
     * at 1,000 new producers a second), so no id handed out after the last producer-state object is handed out again.
     */
    public static final long PRODUCER_ID_GAP = 1L << 40;

    private final BucketManifests manifests;
    private final WalInspector wal;

    public MetadataRestore(ObjectStore store) {
        this.manifests = new BucketManifests(store);
        this.wal = new WalInspector(store);
    }

    /** One restored partition: where its manifest's segments start and end, and the epochs found for it. */
    public record PartitionFound(String topic, int partition, long logStartOffset, long committedEnd, int segments,
                                 int highestEpochFound, int leaderEpoch) {
    }

    /** Records of one partition that only a write-ahead-log object holds: offsets {@code from} to {@code to} - 1. */
    public record LostTail(String walObject, String topic, int partition, long from, long to) {
    }

    /**
     * What the bucket holds for the metadata database.
     *
     * @param metadata           what {@link MetadataStore#restore} writes
     * @param partitions         every restored partition, in topic order
     * @param groups             the groups whose committed offsets are restored
     * @param skippedOffsets     committed offsets of topics not in the bucket (deleted or re-created): not restored
     * @param highestProducerId  the highest producer id found in the bucket (-1: none)
     * @param clusterBlockEnd    the cluster manifest's producer id block end (0: no cluster manifest)
     * @param walObjects         how many write-ahead-log objects are in the bucket
     * @param lostTails          the records above the segment ends, by WAL object: not restored
     */
    public record Result(RestoredMetadata metadata, List<PartitionFound> partitions, int groups, int skippedOffsets,
                         long highestProducerId, long clusterBlockEnd, int walObjects, List<LostTail> lostTails) {
    }

    /** Reads everything the restore needs from the bucket; writes nothing. */
    public Result read() {
        BucketManifests.Topics listing = manifests.topics(Set.of());
        List<TopicRecord> topics = listing.live();
        Map<TopicPartitionId, Integer> walEpochs = new HashMap<>();
        List<WalInspector.Listed> walObjects = wal.list();
        for (WalInspector.Listed listed : walObjects) {
            listed.header().ifPresent(header -> header.entries().forEach(entry ->
                    walEpochs.merge(entry.partition(), entry.leaderEpoch(), Math::max)));
        }
        long highestProducerId = -1;
        List<RestoredTopic> restored = new ArrayList<>();
        List<PartitionFound> found = new ArrayList<>();
        Map<TopicPartitionId, PartitionFound> byId = new HashMap<>();
        for (TopicRecord topic : topics) {
            List<RestoredPartition> partitions = new ArrayList<>();
            for (int p = 0; p < topic.partitions(); p++) {
                TopicPartitionId id = new TopicPartitionId(topic.topicId(), p);
                Optional<PartitionManifest> manifest = manifests.partitionManifest(listing, topic, p);
                long logStart = manifest.map(PartitionManifest::logStartOffset).orElse(0L);
                long end = logStart;
                int epoch = walEpochs.getOrDefault(id, 0);
                List<ManifestSegment> segments = manifest.map(PartitionManifest::segments).orElse(List.of());
                if (manifest.isPresent()) {
                    epoch = Math.max(epoch, (int) Math.min(Integer.MAX_VALUE - 1, manifest.get().writerGeneration()));
                    for (ManifestSegment segment : segments) {
                        end = Math.max(end, segment.lastOffset() + 1);
                    }
                    if (!segments.isEmpty()) {
                        BucketManifests.SegmentTail tail = manifests.segmentTail(topic, p,
                                segments.get(segments.size() - 1));
                        epoch = Math.max(epoch, tail.highestLeaderEpoch());
                        highestProducerId = Math.max(highestProducerId, tail.highestProducerId());
                    }
                    for (ProducerStateSnapshot.Producer producer : manifests.newestProducerState(topic, p)
                            .map(ProducerStateSnapshot::producers).orElse(List.of())) {
                        highestProducerId = Math.max(highestProducerId, producer.producerId());
                    }
                }
                RestoredPartition partition = new RestoredPartition(end, epoch);
                partitions.add(partition);
                PartitionFound line = new PartitionFound(topic.name(), p, logStart, end, segments.size(), epoch,
                        partition.leaderEpoch());
                found.add(line);
                byId.put(id, line);
            }
            restored.add(new RestoredTopic(new TopicDefinition(topic.topicId(), topic.name(), topic.partitions(),
                    topic.configs()), partitions));
        }
        List<CommittedOffset> offsets = new ArrayList<>();
        int groups = 0;
        int[] skipped = {0};
        Map<String, TopicRecord> byName = new HashMap<>();
        topics.forEach(topic -> byName.put(topic.name(), topic));
        for (GroupManifest group : manifests.groups()) {
            List<GroupManifest.PartitionOffset> restorable = BucketManifests.restorable(group, topics,
                    ignored -> skipped[0]++);
            for (GroupManifest.PartitionOffset offset : restorable) {
                offsets.add(new CommittedOffset(group.groupId(), new TopicPartitionId(
                        byName.get(offset.topic()).topicId(), offset.partition()), offset.offset(), offset.leaderEpoch(),
                        offset.metadata() == null ? "" : offset.metadata(),
                        Instant.parse(offset.commitTime()).toEpochMilli()));
            }
            if (!restorable.isEmpty()) {
                groups++;
            }
        }
        long clusterBlockEnd = manifests.clusterManifest().map(ClusterManifest::producerIdBlockEnd).orElse(0L);
        long floor = Math.max(highestProducerId + 1, clusterBlockEnd) + PRODUCER_ID_GAP;
        return new Result(new RestoredMetadata(restored, offsets, floor), found, groups, skipped[0],
                highestProducerId, clusterBlockEnd, walObjects.size(), lostTails(walObjects, byId));
    }

    /** Every WAL entry's records above its partition's restored committed end, by object. */
    private static List<LostTail> lostTails(List<WalInspector.Listed> objects, Map<TopicPartitionId, PartitionFound> partitions) {
        List<LostTail> lost = new ArrayList<>();
        for (WalInspector.Listed listed : objects) {
            for (WalObject.Entry entry : listed.header().map(WalObject.Header::entries).orElse(List.of())) {
                PartitionFound partition = partitions.get(entry.partition());
                if (partition != null && entry.endOffset() > partition.committedEnd()) {
                    lost.add(new LostTail(listed.object().key(), partition.topic(), partition.partition(),
                            Math.max(entry.baseOffset(), partition.committedEnd()), entry.endOffset()));
                }
            }
        }
        return lost;
    }

    /**
     * Writes {@code result} into {@code store}: false, with nothing written, when the store has a topic already
     * ({@link MetadataStore#restore}).
     */
    public boolean restore(MetadataStore store, Result result) {
        return store.restore(result.metadata());
    }
}
