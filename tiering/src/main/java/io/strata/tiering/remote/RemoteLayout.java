package io.strata.tiering.remote;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The object keys of the bucket: an interface that users read, so change it only with a migration.
 * Keys are relative to the configured prefix ({@code STRATA_S3_PREFIX}), which the object store adds.
 *
 * <pre>
 *   _claim.json                                                which broker holds the prefix ({@link BucketPrefixClaim})
 *   topics/{topic}-{topicId}/topic.json                        the topic: name, id, partitions, configs
 *   topics/{topic}-{topicId}/deleted.json                      present while a deletion of this topic is under way
 *   topics/{topic}-{topicId}/{partition}/manifest.json         the partition's remote segments
 *   topics/{topic}-{topicId}/{partition}/{baseOffset:020d}.log   a segment: Kafka's on-disk bytes
 *   topics/{topic}-{topicId}/{partition}/{baseOffset:020d}.index its offset and time index entries
 *   topics/{topic}-{topicId}/{partition}/producers-{endOffset:020d}.json the idempotent producers' state as of
 *                                                              endOffset, written by a hand-over of the partition
 *                                                              ({@link ProducerStateSnapshot}, {@link ProducerStateObjects})
 *   groups/{groupId}.json                                      a consumer group's committed offsets
 *   cluster.json                                               the cluster id and the producer id high-water mark
 *   wal/{nodeId}/{incarnation}/{sequence:020d}.wal             a write-ahead-log object of broker nodeId in one of
 *                                                              its incarnations ({@code io.strata.tiering.wal.WalObject});
 *                                                              sequence counts from 0 per incarnation (in a
 *                                                              cluster; a single broker continues it across them)
 *   wal-floors/{nodeId}/{sequence:020d}                        single-broker mode: the broker's WAL objects below
 *                                                              sequence were collected (empty; the highest counts,
 *                                                              {@code io.strata.tiering.wal.WalChain})
 * </pre>
 * {@code topicId} is Kafka's base64url form of the topic id (as {@code kafka-topics --describe}
 * shows it), so a re-created topic of the same name never meets the old one's objects. Example:
 * {@code topics/orders-5Hs9bWq3RJ2bm2a0QvOiPA/0/00000000000000052345.log}. Segment keys of one
 * partition sort by offset because the base offset is zero-padded to 20 digits.
 *
 * <p>{@code groupId} is URL-encoded ({@code application/x-www-form-urlencoded}, UTF-8: letters, digits and
 * {@code . - * _} stay, a space becomes {@code +}, every other byte {@code %XX}), so that any group id makes one
 * flat key: group {@code billing/eu} is {@code groups/billing%2Feu.json}. The object ({@link GroupManifest}) holds
 * the group id itself too.
 */
public final class RemoteLayout {

    public static final String TOPICS = "topics/";
    public static final String GROUPS = "groups/";
    /** {@link ClusterManifest}. */
    public static final String CLUSTER_MANIFEST = "cluster.json";
    /** Every write-ahead-log object is under it. */
    public static final String WAL = "wal/";
    static final String WAL_SUFFIX = ".wal";
    /** Single-broker mode's collection floors of the write-ahead log. */
    public static final String WAL_FLOORS = "wal-floors/";
    static final String TOPIC_MANIFEST = "topic.json";
    static final String TOPIC_TOMBSTONE = "deleted.json";
    static final String GROUP_SUFFIX = ".json";
    static final String PARTITION_MANIFEST = "manifest.json";
    static final String SEGMENT_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String PRODUCER_STATE_PREFIX = "producers-";
    static final String PRODUCER_STATE_SUFFIX = ".json";

    private RemoteLayout() {
    }

    /** {@code topics/{topic}-{topicId}/}: every object of the topic is under it. */
    public static String topicPrefix(String topic, UUID topicId) {
        return TOPICS + topic + "-" + kafkaId(topicId) + "/";
    }

    public static String topicManifest(String topic, UUID topicId) {
        return topicPrefix(topic, topicId) + TOPIC_MANIFEST;
    }

    /** The tombstone of a topic being deleted ({@link TopicObjectDeleter}). */
    public static String topicTombstone(String topic, UUID topicId) {
        return topicPrefix(topic, topicId) + TOPIC_TOMBSTONE;
    }

    public static String partitionPrefix(TopicPartition tp, UUID topicId) {
        return topicPrefix(tp.topic(), topicId) + tp.partition() + "/";
    }

    public static String partitionManifest(TopicPartition tp, UUID topicId) {
        return partitionPrefix(tp, topicId) + PARTITION_MANIFEST;
    }

    public static String segment(TopicPartition tp, UUID topicId, long baseOffset) {
        return partitionPrefix(tp, topicId) + fileName(baseOffset) + SEGMENT_SUFFIX;
    }

    public static String index(TopicPartition tp, UUID topicId, long baseOffset) {
        return partitionPrefix(tp, topicId) + fileName(baseOffset) + INDEX_SUFFIX;
    }

    /** {@code topics/{topic}-{topicId}/{partition}/producers-{endOffset:020d}.json} ({@link ProducerStateSnapshot}). */
    public static String producerState(TopicPartition tp, UUID topicId, long endOffset) {
        return partitionPrefix(tp, topicId) + PRODUCER_STATE_PREFIX + fileName(endOffset) + PRODUCER_STATE_SUFFIX;
    }

    /** The end offset of a {@link #producerState} key; empty for any other key. */
    public static java.util.OptionalLong producerStateEndOf(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        if (!name.startsWith(PRODUCER_STATE_PREFIX) || !name.endsWith(PRODUCER_STATE_SUFFIX)
                || name.length() != PRODUCER_STATE_PREFIX.length() + 20 + PRODUCER_STATE_SUFFIX.length()) {
            return java.util.OptionalLong.empty();
        }
        String digits = name.substring(PRODUCER_STATE_PREFIX.length(), PRODUCER_STATE_PREFIX.length() + 20);
        if (!digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return java.util.OptionalLong.empty();
        }
        try {
            return java.util.OptionalLong.of(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /** {@code groups/{url-encoded groupId}.json}: the group's committed offsets. */
    public static String groupManifest(String groupId) {
        return GROUPS + URLEncoder.encode(groupId, StandardCharsets.UTF_8) + GROUP_SUFFIX;
    }

    /** The group id of a {@link #groupManifest} key; empty for any other key. */
    public static Optional<String> groupIdOf(String key) {
        if (!key.startsWith(GROUPS) || !key.endsWith(GROUP_SUFFIX) || key.indexOf('/', GROUPS.length()) >= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(URLDecoder.decode(key.substring(GROUPS.length(), key.length() - GROUP_SUFFIX.length()),
                    StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static String fileName(long baseOffset) {
        return String.format(Locale.ROOT, "%020d", baseOffset);
    }

    /** {@code wal-floors/{nodeId}/}: the collection floors of a single broker's write-ahead log. */
    public static String walFloorPrefix(int nodeId) {
        return WAL_FLOORS + nodeId + "/";
    }

    /** {@code wal-floors/{nodeId}/{sequence:020d}}. */
    public static String walFloor(int nodeId, long sequence) {
        return walFloorPrefix(nodeId) + String.format(Locale.ROOT, "%020d", sequence);
    }

    /** The sequence a floor key of {@code nodeId} names, or empty when it is not one. */
    public static java.util.OptionalLong walFloorOf(int nodeId, String key) {
        String prefix = walFloorPrefix(nodeId);
        String rest = key.startsWith(prefix) ? key.substring(prefix.length()) : "";
        if (rest.length() != 20 || !rest.chars().allMatch(Character::isDigit)) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(Long.parseLong(rest));
    }

    /** {@code wal/{nodeId}/}: the WAL objects of every incarnation of a broker. */
    public static String walNodePrefix(int nodeId) {
        return WAL + nodeId + "/";
    }

    /** {@code wal/{nodeId}/{incarnation}/}: the WAL objects of one incarnation of a broker. */
    public static String walIncarnationPrefix(int nodeId, UUID incarnation) {
        return walNodePrefix(nodeId) + incarnation + "/";
    }

    /** {@code wal/{nodeId}/{incarnation}/{sequence:020d}.wal}. */
    public static String walObject(int nodeId, UUID incarnation, long sequence) {
        return walIncarnationPrefix(nodeId, incarnation) + String.format(Locale.ROOT, "%020d", sequence) + WAL_SUFFIX;
    }

    /** What a WAL object's key names: the writer's node id and incarnation, and the object's sequence. */
    public record WalKey(int nodeId, UUID incarnation, long sequence) {
        /** The key itself, {@link #walObject}. */
        public String key() {
            return walObject(nodeId, incarnation, sequence);
        }
    }

    /**
     * What WAL object key {@code key} names, or empty when it is not exactly a key {@link #walObject} writes (a
     * node id, an incarnation in its canonical form, a sequence of 20 digits).
     */
    public static Optional<WalKey> walKeyOf(String key) {
        if (!key.startsWith(WAL) || !key.endsWith(WAL_SUFFIX)) {
            return Optional.empty();
        }
        String[] parts = key.substring(WAL.length(), key.length() - WAL_SUFFIX.length()).split("/", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            WalKey parsed = new WalKey(Integer.parseInt(parts[0]), UUID.fromString(parts[1]),
                    Long.parseLong(parts[2]));
            // UUID.fromString and parseInt accept forms walObject never writes ("+1", "1-2-3-4-5", short sequences)
            return parsed.key().equals(key) ? Optional.of(parsed) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The incarnation that wrote WAL object {@code key}, or empty when the key is not one. */
    public static Optional<UUID> walIncarnationOf(String key) {
        return walKeyOf(key).map(WalKey::incarnation);
    }

    public static String kafkaId(UUID id) {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits()).toString();
    }

    public static UUID fromKafkaId(String id) {
        Uuid uuid = Uuid.fromString(id);
        return new UUID(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }
}
