package io.strata.tiering.remote;

/**
 * Broker-wide settings of the remote tier.
 *
 * @param taskIntervalMs            how often each partition is checked for segments to copy or expire
 *                                  (Kafka's {@code remote.log.manager.task.interval.ms})
 * @param copyThreads               partitions copied at once (Kafka's
 *                                  {@code remote.log.manager.copier.thread.pool.size})
 * @param copyMaxBytesPerSecond     cap on upload throughput (Kafka's
 *                                  {@code remote.log.manager.copy.max.bytes.per.second})
 * @param retryBackoffMs            first wait after a failed copy or delete; doubles up to {@code retryBackoffMaxMs}
 * @param retryBackoffMaxMs         longest wait between attempts
 * @param fetchChunkBytes           size of the ranged GETs that fill the read cache
 * @param fetchCacheBytes           bytes of chunks kept in memory
 * @param fetchReadAheadChunks      chunks loaded ahead of a sequential reader (0: none)
 * @param offsetsSyncIntervalMs     how often groups whose committed offsets changed are written to the bucket
 *                                  ({@code offsets.bucket.sync.interval.ms}, see {@link GroupOffsetUploader})
 */
public record RemoteConfig(long taskIntervalMs, int copyThreads, long copyMaxBytesPerSecond, long retryBackoffMs,
                           long retryBackoffMaxMs, int fetchChunkBytes, long fetchCacheBytes,
                           int fetchReadAheadChunks, long offsetsSyncIntervalMs) {

    /** Chunks read ahead by default: one GET in flight while the reader consumes the previous chunk, one more queued. */
    public static final int DEFAULT_READ_AHEAD_CHUNKS = 2;
    /** Committed offsets reach the bucket at most this long after the commit, by default. */
    public static final long DEFAULT_OFFSETS_SYNC_INTERVAL_MS = 5_000;

    public RemoteConfig {
        if (taskIntervalMs <= 0 || copyThreads <= 0 || copyMaxBytesPerSecond <= 0 || retryBackoffMs <= 0
                || retryBackoffMaxMs < retryBackoffMs || fetchChunkBytes <= 0 || fetchCacheBytes < fetchChunkBytes
                || fetchReadAheadChunks < 0 || offsetsSyncIntervalMs <= 0) {
            throw new IllegalArgumentException("invalid remote tier settings: " + this);
        }
    }

    public static RemoteConfig defaults() {
        return new RemoteConfig(5_000, 2, Long.MAX_VALUE, 1_000, 30_000, 4 << 20, 256L << 20,
                DEFAULT_READ_AHEAD_CHUNKS, DEFAULT_OFFSETS_SYNC_INTERVAL_MS);
    }
}
