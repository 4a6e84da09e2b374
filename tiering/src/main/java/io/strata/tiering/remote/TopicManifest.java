package io.strata.tiering.remote;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.strata.index.TopicRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TopicManifest fromJson(byte[] json) {
        TopicManifest manifest;
        try {
            manifest = JSON.readValue(json, TopicManifest.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a topic manifest: " + e.getMessage(), e);
        }
        if (manifest.version() != VERSION) {
            throw new IllegalArgumentException("unsupported topic manifest version " + manifest.version());
        }
        return manifest;
    }
}
