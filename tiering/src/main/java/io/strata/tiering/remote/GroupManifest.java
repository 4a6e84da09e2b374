package io.strata.tiering.remote;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.strata.index.GroupOffset;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.function.Function;

/**
 * The committed offsets of one consumer group, {@code groups/{groupId}.json} (see {@link RemoteLayout#groupManifest}):
 * what a broker with an empty disk needs to give the group its positions back. Written by
 * {@link GroupOffsetUploader} some time after a commit (at most {@code offsets.bucket.sync.interval.ms} later), read by
 * {@link BucketRestore}. Each partition carries its topic's id, so that the offsets of a topic that was deleted and
 * re-created under the same name are not applied to the new topic. {@code leaderEpoch} is -1 when the client sent
 * none (Kafka's convention), {@code metadata} {@code null} when it sent none; {@code commitTime} is when the broker
 * accepted the commit, ISO-8601 UTC. Example:
 * <pre>
 * {
 *   "version" : 1,
 *   "groupId" : "billing",
 *   "offsets" : [ {
 *     "topic" : "orders", "topicId" : "5Hs9bWq3RJ2bm2a0QvOiPA", "partition" : 0, "offset" : 52345,
 *     "leaderEpoch" : 0, "metadata" : "", "commitTime" : "2026-12-01T03:02:04.511Z"
 *   } ]
 * }
 * </pre>
 */
@JsonPropertyOrder({"version", "groupId", "offsets"})
public record GroupManifest(int version, String groupId, List<PartitionOffset> offsets) {

    public static final int VERSION = 1;

    /** One committed offset as the group manifest lists it. */
    @JsonPropertyOrder({"topic", "topicId", "partition", "offset", "leaderEpoch", "metadata", "commitTime"})
    public record PartitionOffset(String topic, String topicId, int partition, long offset, int leaderEpoch,
                                  String metadata, String commitTime) {

        /** This offset as RocksDB keeps it, for {@code groupId}. */
        public GroupOffset toGroupOffset(String groupId) {
            return new GroupOffset(groupId, topic, partition, offset,
                    leaderEpoch < 0 ? OptionalInt.empty() : OptionalInt.of(leaderEpoch), Optional.ofNullable(metadata),
                    Instant.parse(commitTime).toEpochMilli());
        }
    }

    public GroupManifest {
        offsets = List.copyOf(offsets);
    }

    /**
     * The manifest of {@code groupId}'s committed {@code offsets}; an offset whose topic has no id (the topic no longer
     * exists) is left out.
     */
    static GroupManifest of(String groupId, List<GroupOffset> offsets, Function<String, Optional<UUID>> topicIds) {
        List<PartitionOffset> lines = offsets.stream()
                .flatMap(o -> topicIds.apply(o.topic()).stream().map(id -> new PartitionOffset(o.topic(),
                        RemoteLayout.kafkaId(id), o.partition(), o.offset(), o.leaderEpoch().orElse(-1),
                        o.metadata().orElse(null), Instant.ofEpochMilli(o.commitTimestampMs()).toString())))
                .toList();
        return new GroupManifest(VERSION, groupId, lines);
    }

    /** The positions alone (commit times blanked): two manifests with equal positions differ only in commit times. */
    GroupManifest positions() {
        return new GroupManifest(version, groupId, offsets.stream().map(o -> new PartitionOffset(o.topic(),
                o.topicId(), o.partition(), o.offset(), o.leaderEpoch(), o.metadata(), null)).toList());
    }

    public byte[] toJson() {
        return ManifestJson.write(this);
    }

    /** Parses a group manifest, rejecting versions this broker does not know. */
    public static GroupManifest fromJson(byte[] json) {
        return ManifestJson.read(json, GroupManifest.class, "group manifest", GroupManifest::version, VERSION);
    }
}
