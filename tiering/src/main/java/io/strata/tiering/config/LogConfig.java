package io.strata.tiering.config;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;

/**
 * The effective configuration of one partition log: topic overrides over broker defaults over
 * Kafka's defaults. Immutable.
 */
public record LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes,
                        long flushIntervalMessages, long flushMs, int maxMessageBytes, int indexIntervalBytes,
                        TimestampType timestampType, long timestampBeforeMaxMs, long timestampAfterMaxMs,
                        long fileDeleteDelayMs, boolean remoteStorageEnable, long localRetentionMs,
                        long localRetentionBytes, Map<String, Object> values) {

    public LogConfig {
        values = Map.copyOf(values);
    }

    /**
     * Builds the effective config.
     *
     * @param brokerDefaults topic-named defaults from the broker ({@link TopicConfigDef#defaultsFromBroker})
     * @param overrides      the topic's own configs (already validated)
     */
    public static LogConfig of(Map<String, String> brokerDefaults, Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(brokerDefaults);
        merged.putAll(overrides);
        Map<String, Object> v = TopicConfigDef.def().parse(merged);
        return new LogConfig(
                (Integer) v.get(TopicConfig.SEGMENT_BYTES_CONFIG),
                (Long) v.get(TopicConfig.SEGMENT_MS_CONFIG),
                (Long) v.get(TopicConfig.RETENTION_MS_CONFIG),
                (Long) v.get(TopicConfig.RETENTION_BYTES_CONFIG),
                (Long) v.get(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG),
                (Long) v.get(TopicConfig.FLUSH_MS_CONFIG),
                (Integer) v.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
                (Integer) v.get(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG),
                "LogAppendTime".equals(v.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG))
                        ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
                (Long) v.get(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG),
                (Long) v.get(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG),
                (Long) v.get(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG),
                (Boolean) v.get(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG),
                (Long) v.get(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG),
                (Long) v.get(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG),
                v);
    }

    /** Kafka's defaults only. */
    public static LogConfig defaults() {
        return of(Map.of(), Map.of());
    }
}
