package io.strata.broker.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.strata.tiering.remote.ChunkCache;
import io.strata.tiering.remote.RemoteMetrics;
import java.util.function.ToDoubleFunction;

/**
 * The remote tier's counters, which the tiering module keeps in memory ({@link RemoteMetrics},
 * {@link ChunkCache}), exposed as function counters and gauges read at scrape time: nothing is counted
 * twice. Broker-wide (no topic tag). Names in {@link BrokerMetrics}.
 */
final class RemoteTierMeters {

    static final String PREFIX = "kafka.server.brokertopicmetrics.";
    static final String COPY_BYTES = PREFIX + "remote.copy.bytes";
    static final String COPY_REQUESTS = PREFIX + "remote.copy.requests";
    static final String COPY_ERRORS = PREFIX + "remote.copy.errors";
    static final String FETCH_BYTES = PREFIX + "remote.fetch.bytes";
    static final String FETCH_REQUESTS = PREFIX + "remote.fetch.requests";
    static final String FETCH_ERRORS = PREFIX + "remote.fetch.errors";
    static final String DELETED_SEGMENTS = "strata.remote.deleted.segments";
    static final String UNREADABLE_SEGMENTS = "strata.remote.copy.unreadable.segments";
    static final String CACHE_GETS = "strata.remote.cache.gets";
    static final String CACHE_HITS = "strata.remote.cache.hits";
    static final String CACHE_MISSES = "strata.remote.cache.misses";
    static final String CACHE_EVICTIONS = "strata.remote.cache.evictions";
    static final String CACHE_SIZE = "strata.remote.cache.size.bytes";

    private RemoteTierMeters() {
    }

    static void bind(MeterRegistry registry, RemoteMetrics metrics, ChunkCache cache) {
        counter(registry, COPY_BYTES, metrics, RemoteMetrics::copyBytes,
                "Bytes of segments copied to the bucket (Kafka RemoteCopyBytesPerSec)");
        counter(registry, COPY_REQUESTS, metrics, RemoteMetrics::copyRequests,
                "PUTs of segments, index sidecars and manifests (Kafka RemoteCopyRequestsPerSec)");
        counter(registry, COPY_ERRORS, metrics, RemoteMetrics::copyErrors,
                "Failed segment copies, retried later, and segments copied with unreadable batches"
                        + " (Kafka RemoteCopyErrorsPerSec)");
        counter(registry, FETCH_BYTES, metrics, RemoteMetrics::fetchBytes,
                "Bytes returned to fetches from remote segments (Kafka RemoteFetchBytesPerSec)");
        counter(registry, FETCH_REQUESTS, metrics, RemoteMetrics::fetchRequests,
                "Fetches that read a remote segment (Kafka RemoteFetchRequestsPerSec)");
        counter(registry, FETCH_ERRORS, metrics, RemoteMetrics::fetchErrors,
                "Failed reads of remote segments (Kafka RemoteFetchErrorsPerSec)");
        counter(registry, DELETED_SEGMENTS, metrics, RemoteMetrics::deletedSegments,
                "Remote segments deleted by retention or topic deletion");
        counter(registry, UNREADABLE_SEGMENTS, metrics, RemoteMetrics::unreadableSegments,
                "Segments copied as they are although some of their compressed batches cannot be read");
        counter(registry, CACHE_GETS, cache, ChunkCache::gets, "Ranged GETs that loaded chunks into the cache");
        counter(registry, CACHE_HITS, cache, c -> c.stats().hitCount(), "Chunk cache hits");
        counter(registry, CACHE_MISSES, cache, c -> c.stats().missCount(), "Chunk cache misses");
        counter(registry, CACHE_EVICTIONS, cache, c -> c.stats().evictionCount(), "Chunks evicted from the cache");
        Gauge.builder(CACHE_SIZE, cache, ChunkCache::weightedSize).strongReference(true)
                .description("Bytes of chunks held in the cache").register(registry);
    }

    /** Registers a counter read from {@code source} at scrape time. */
    static <T> void counter(MeterRegistry registry, String name, T source, ToDoubleFunction<T> count,
                            String description) {
        FunctionCounter.builder(name, source, count).description(description).register(registry);
    }
}
