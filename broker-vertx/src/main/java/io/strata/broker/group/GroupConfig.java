package io.strata.broker.group;

import io.strata.broker.config.BrokerConfig;
import java.util.concurrent.TimeUnit;

/**
 * Coordinator settings, by Kafka's broker config names and with Kafka's defaults.
 *
 * @param initialRebalanceDelayMs        {@code group.initial.rebalance.delay.ms} (3000): how long the first
 *                                       rebalance of an empty group waits for more members
 * @param minSessionTimeoutMs            {@code group.min.session.timeout.ms} (6000)
 * @param maxSessionTimeoutMs            {@code group.max.session.timeout.ms} (1800000)
 * @param maxGroupSize                   {@code group.max.size} (unbounded)
 * @param offsetsRetentionMs             {@code offsets.retention.minutes} (7 days), how long offsets of an empty
 *                                       group are kept after the later of the commit and the group becoming empty
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms} (600000)
 * @param offsetMetadataMaxBytes         {@code offset.metadata.max.bytes} (4096)
 */
public record GroupConfig(long initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                          int maxGroupSize, long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs,
                          int offsetMetadataMaxBytes) {

    /** How long a new member may wait in its first JoinGroup before it is dropped, as in Kafka. */
    static final long NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

    public static GroupConfig defaults() {
        return new GroupConfig(3_000, 6_000, 1_800_000, Integer.MAX_VALUE, TimeUnit.DAYS.toMillis(7), 600_000, 4096);
    }

    public static GroupConfig from(BrokerConfig config) {
        GroupConfig d = defaults();
        return new GroupConfig(
                config.getLong(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, d.initialRebalanceDelayMs()),
                config.getInt(BrokerConfig.GROUP_MIN_SESSION_TIMEOUT_MS, d.minSessionTimeoutMs()),
                config.getInt(BrokerConfig.GROUP_MAX_SESSION_TIMEOUT_MS, d.maxSessionTimeoutMs()),
                config.getInt(BrokerConfig.GROUP_MAX_SIZE, d.maxGroupSize()),
                TimeUnit.MINUTES.toMillis(config.getLong(BrokerConfig.OFFSETS_RETENTION_MINUTES,
                        TimeUnit.MILLISECONDS.toMinutes(d.offsetsRetentionMs()))),
                config.getLong(BrokerConfig.OFFSETS_RETENTION_CHECK_INTERVAL_MS, d.offsetsRetentionCheckIntervalMs()),
                config.getInt(BrokerConfig.OFFSET_METADATA_MAX_BYTES, d.offsetMetadataMaxBytes()));
    }
}
