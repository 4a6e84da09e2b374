package io.strata.tiering.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.ValidString.in;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topic-level configs Strata accepts, with Kafka's names, types and meanings, and the broker
 * properties that supply their defaults ({@code log.segment.bytes} for {@code segment.bytes}, ...).
 *
 * <p>Some Kafka configs are accepted for compatibility but have no effect on a single broker whose
 * durability comes from object storage (replication and compaction tuning); {@link #INERT} lists
 * them. {@code cleanup.policy=compact} and any {@code compression.type} other than {@code producer}
 * are refused with a message, because Strata never rewrites a producer's batches.
 *
 * <p>Thread-safe (immutable).
 */
public final class TopicConfigDef {

    /** Kafka's floor is 1 MiB; Strata allows smaller segments so that tiering can be exercised cheaply. */
    public static final int MIN_SEGMENT_BYTES = 1024;

    /** Accepted and stored, but without effect in Strata (see the README). */
    public static final Set<String> INERT = Set.of(
            TopicConfig.DELETE_RETENTION_MS_CONFIG, TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
            TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
            TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
            TopicConfig.PREALLOCATE_CONFIG, TopicConfig.SEGMENT_INDEX_BYTES_CONFIG,
            TopicConfig.SEGMENT_JITTER_MS_CONFIG, TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG,
            TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG,
            "leader.replication.throttled.replicas", "follower.replication.throttled.replicas");

    /** Topic config name → the broker property that gives its default. */
    public static final Map<String, String> BROKER_DEFAULTS = Map.ofEntries(
            Map.entry(TopicConfig.SEGMENT_BYTES_CONFIG, "log.segment.bytes"),
            Map.entry(TopicConfig.SEGMENT_MS_CONFIG, "log.roll.ms"),
            Map.entry(TopicConfig.RETENTION_MS_CONFIG, "log.retention.ms"),
            Map.entry(TopicConfig.RETENTION_BYTES_CONFIG, "log.retention.bytes"),
            Map.entry(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "log.flush.interval.messages"),
            Map.entry(TopicConfig.FLUSH_MS_CONFIG, "log.flush.interval.ms"),
            Map.entry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "message.max.bytes"),
            Map.entry(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, "log.index.interval.bytes"),
            Map.entry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "log.message.timestamp.type"),
            Map.entry(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "log.message.timestamp.before.max.ms"),
            Map.entry(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, "log.message.timestamp.after.max.ms"),
            Map.entry(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "log.segment.delete.delay.ms"),
            Map.entry(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, "log.local.retention.ms"),
            Map.entry(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, "log.local.retention.bytes"),
            Map.entry(TopicConfig.CLEANUP_POLICY_CONFIG, "log.cleanup.policy"),
            Map.entry(TopicConfig.COMPRESSION_TYPE_CONFIG, "compression.type"),
            Map.entry(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "min.insync.replicas"));

    private static final ConfigDef DEF = new ConfigDef()
            .define(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, 1024 * 1024 * 1024, atLeast(MIN_SEGMENT_BYTES), MEDIUM,
                    TopicConfig.SEGMENT_BYTES_DOC)
            .define(TopicConfig.SEGMENT_MS_CONFIG, Type.LONG, 7 * 24 * 3600 * 1000L, atLeast(1), MEDIUM,
                    TopicConfig.SEGMENT_MS_DOC)
            .define(TopicConfig.RETENTION_MS_CONFIG, Type.LONG, 7 * 24 * 3600 * 1000L, atLeast(-1), MEDIUM,
                    TopicConfig.RETENTION_MS_DOC)
            .define(TopicConfig.RETENTION_BYTES_CONFIG, Type.LONG, -1L, atLeast(-1), MEDIUM,
                    TopicConfig.RETENTION_BYTES_DOC)
            .define(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, Long.MAX_VALUE, atLeast(1), MEDIUM,
                    TopicConfig.FLUSH_MESSAGES_INTERVAL_DOC)
            .define(TopicConfig.FLUSH_MS_CONFIG, Type.LONG, Long.MAX_VALUE, atLeast(0), MEDIUM,
                    TopicConfig.FLUSH_MS_DOC)
            .define(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Type.INT, 1024 * 1024 + 12, atLeast(0), MEDIUM,
                    TopicConfig.MAX_MESSAGE_BYTES_DOC)
            .define(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, 4096, atLeast(0), MEDIUM,
                    TopicConfig.INDEX_INTERVAL_BYTES_DOC)
            .define(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, "CreateTime",
                    in("CreateTime", "LogAppendTime"), MEDIUM, TopicConfig.MESSAGE_TIMESTAMP_TYPE_DOC)
            .define(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Type.LONG, Long.MAX_VALUE, atLeast(0), MEDIUM,
                    TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_DOC)
            .define(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Type.LONG, 3_600_000L, atLeast(0), MEDIUM,
                    TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_DOC)
            .define(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, 60_000L, atLeast(0), LOW,
                    TopicConfig.FILE_DELETE_DELAY_MS_DOC)
            .define(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, Type.LONG, -2L, atLeast(-2), MEDIUM,
                    TopicConfig.LOCAL_LOG_RETENTION_MS_DOC)
            .define(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, Type.LONG, -2L, atLeast(-2), MEDIUM,
                    TopicConfig.LOCAL_LOG_RETENTION_BYTES_DOC)
            .define(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, Type.BOOLEAN, true, MEDIUM,
                    TopicConfig.REMOTE_LOG_STORAGE_ENABLE_DOC)
            .define(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG, Type.BOOLEAN, false, LOW,
                    TopicConfig.REMOTE_LOG_COPY_DISABLE_DOC)
            .define(TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, Type.BOOLEAN, false, LOW,
                    TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_DOC)
            .define(TopicConfig.CLEANUP_POLICY_CONFIG, Type.LIST, List.of(TopicConfig.CLEANUP_POLICY_DELETE),
                    ConfigDef.ValidList.in(TopicConfig.CLEANUP_POLICY_DELETE), MEDIUM,
                    TopicConfig.CLEANUP_POLICY_DOC + " Strata supports only 'delete'; compaction is not implemented.")
            .define(TopicConfig.COMPRESSION_TYPE_CONFIG, Type.STRING, "producer", in("producer"), MEDIUM,
                    TopicConfig.COMPRESSION_TYPE_DOC + " Strata keeps batches as the producer compressed them;"
                            + " only 'producer' is supported.")
            .define(TopicConfig.DELETE_RETENTION_MS_CONFIG, Type.LONG, 86_400_000L, atLeast(0), LOW,
                    TopicConfig.DELETE_RETENTION_MS_DOC)
            .define(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Type.LONG, 0L, atLeast(0), LOW,
                    TopicConfig.MIN_COMPACTION_LAG_MS_DOC)
            .define(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Type.LONG, Long.MAX_VALUE, atLeast(1), LOW,
                    TopicConfig.MAX_COMPACTION_LAG_MS_DOC)
            .define(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Type.DOUBLE, 0.5, between(0, 1), LOW,
                    TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_DOC)
            .define(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN, false, LOW,
                    TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_DOC)
            .define(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, 1, atLeast(1), LOW,
                    TopicConfig.MIN_IN_SYNC_REPLICAS_DOC)
            .define(TopicConfig.PREALLOCATE_CONFIG, Type.BOOLEAN, false, LOW, TopicConfig.PREALLOCATE_DOC)
            .define(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Type.INT, 10 * 1024 * 1024, atLeast(4), LOW,
                    TopicConfig.SEGMENT_INDEX_BYTES_DOC)
            .define(TopicConfig.SEGMENT_JITTER_MS_CONFIG, Type.LONG, 0L, atLeast(0), LOW,
                    TopicConfig.SEGMENT_JITTER_MS_DOC)
            .define(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, Type.INT, -1, LOW, TopicConfig.COMPRESSION_GZIP_LEVEL_DOC)
            .define(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, Type.INT, 9, LOW, TopicConfig.COMPRESSION_LZ4_LEVEL_DOC)
            .define(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, Type.INT, 3, LOW, TopicConfig.COMPRESSION_ZSTD_LEVEL_DOC)
            .define("leader.replication.throttled.replicas", Type.LIST, "", LOW, "Accepted; no effect on one broker.")
            .define("follower.replication.throttled.replicas", Type.LIST, "", LOW, "Accepted; no effect on one broker.");

    private TopicConfigDef() {
    }

    /** The underlying definition (names, types, defaults, documentation). */
    public static ConfigDef def() {
        return DEF;
    }

    public static boolean isKnown(String name) {
        return DEF.names().contains(name);
    }

    /**
     * Checks topic-level overrides: every name must be known and every value valid.
     *
     * @throws ConfigException naming the offending config and value
     */
    public static void validate(Map<String, String> overrides) {
        for (Map.Entry<String, String> entry : overrides.entrySet()) {
            if (!isKnown(entry.getKey())) {
                throw new ConfigException("Unknown topic config name: " + entry.getKey());
            }
            if (entry.getValue() == null) {
                throw new ConfigException("Null value for topic config " + entry.getKey());
            }
        }
        String cleanupPolicy = overrides.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (cleanupPolicy != null && cleanupPolicy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new ConfigException(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy,
                    "Strata does not implement log compaction yet; only 'delete' is supported");
        }
        DEF.parse(overrides);
    }

    /** True when {@code value} is Kafka's default for the topic config {@code name}. */
    public static boolean isKafkaDefault(String name, String value) {
        ConfigDef.ConfigKey key = DEF.configKeys().get(name);
        if (key == null || !key.hasDefault()) {
            return false;
        }
        try {
            return java.util.Objects.equals(ConfigDef.parseType(name, value, key.type), key.defaultValue);
        } catch (ConfigException e) {
            return false;
        }
    }

    /**
     * Every topic config with its effective value and source, in name order. A broker default equal to
     * Kafka's default is reported as the default (a broker setting that changes nothing is not worth
     * listing, and Strata's broker always supplies some defaults).
     *
     * @param brokerDefaults topic-named defaults set on the broker
     * @param overrides      the topic's own configs
     */
    public static java.util.List<TopicConfigValue> describe(Map<String, String> brokerDefaults,
                                                            Map<String, String> overrides) {
        java.util.List<TopicConfigValue> values = new java.util.ArrayList<>();
        for (String name : new java.util.TreeSet<>(DEF.names())) {
            ConfigDef.ConfigKey key = DEF.configKeys().get(name);
            if (overrides.containsKey(name)) {
                values.add(new TopicConfigValue(name, overrides.get(name), TopicConfigValue.Source.TOPIC));
            } else if (brokerDefaults.containsKey(name)) {
                String value = brokerDefaults.get(name);
                values.add(new TopicConfigValue(name, value, isKafkaDefault(name, value)
                        ? TopicConfigValue.Source.DEFAULT : TopicConfigValue.Source.BROKER));
            } else {
                values.add(new TopicConfigValue(name, key.hasDefault()
                        ? ConfigDef.convertToString(key.defaultValue, key.type) : null, TopicConfigValue.Source.DEFAULT));
            }
        }
        return values;
    }

    /**
     * Topic config defaults taken from broker properties (by Kafka's broker names), e.g.
     * {@code log.segment.bytes=1048576} gives {@code segment.bytes=1048576}.
     */
    public static Map<String, String> defaultsFromBroker(Map<String, String> brokerProperties) {
        Map<String, String> defaults = new HashMap<>();
        BROKER_DEFAULTS.forEach((topicName, brokerName) -> {
            String value = brokerProperties.get(brokerName);
            if (value != null) {
                defaults.put(topicName, value);
            }
        });
        return defaults;
    }
}
