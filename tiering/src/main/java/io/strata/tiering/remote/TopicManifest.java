package io.strata.tiering.remote;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.strata.index.TopicRecord;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The topic manifest, {@code topics/{topic}-{topicId}/topic.json}: what a broker with an empty disk
 * needs to re-create the topic. Written when the topic is created and when its configs change.
 * Example:
 * <pre>
 * {
 *   "version" : 1,
 *   "name" : "orders",
 *   "topicId" : "5Hs9bWq3RJ2bm2a0QvOiPA",
 *   "partitions" : 3,
 *   "replicationFactor" : 1,
 *   "configs" : { "retention.ms" : "604800000" },
 *   "createTime" : "2026-12-01T02:59:00Z"
 * }
 * </pre>
 */
@JsonPropertyOrder({"version", "name", "topicId", "partitions", "replicationFactor", "configs", "createTime"})
public record TopicManifest(int version, String name, String topicId, int partitions, short replicationFactor,
                            Map<String, String> configs, String createTime) {

    public static final int VERSION = 1;

    public TopicManifest {
        configs = new TreeMap<>(configs);
    }

    public static TopicManifest of(TopicRecord topic) {
        return new TopicManifest(VERSION, topic.name(), RemoteLayout.kafkaId(topic.topicId()), topic.partitions(),
                topic.replicationFactor(), topic.configs(), Instant.ofEpochMilli(topic.createdMs()).toString());
    }

    public TopicRecord toTopicRecord() {
        return new TopicRecord(name, RemoteLayout.fromKafkaId(topicId), partitions, replicationFactor, configs,
                Instant.parse(createTime).toEpochMilli());
    }

    public byte[] toJson() {
        return ManifestJson.write(this);
    }

    public static TopicManifest fromJson(byte[] json) {
        return ManifestJson.read(json, TopicManifest.class, "topic manifest", TopicManifest::version, VERSION);
    }
}
