package io.strata.tiering.remote;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.strata.objectstore.ObjectStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fixed-size chunks of remote segment objects, fetched with ranged GETs and kept in a Caffeine cache
 * bounded in bytes. Chunk {@code i} of an object covers bytes {@code [i * chunkBytes, (i + 1) *
 * chunkBytes)} (the last chunk is shorter). Concurrent requests for one chunk share one GET. A failed
 * GET is not cached. Thread-safe; never blocks.
 */
public final class ChunkCache {

    private record ChunkKey(String objectKey, long index) {
    }

    /**
     * A loaded chunk, or the failure of its GET. Failures are values rather than failed futures, so
     * that an outage of the bucket costs one log line per read instead of Caffeine's stack trace per
     * chunk; they are removed from the cache as soon as they are seen.
     */
    private record Chunk(ByteBuffer bytes, Throwable failure) {
    }

    private final ObjectStore store;
    private final int chunkBytes;
    private final AsyncCache<ChunkKey, Chunk> cache;
    private final LongAdder gets = new LongAdder();

    public ChunkCache(ObjectStore store, int chunkBytes, long maxBytes) {
        if (chunkBytes <= 0 || maxBytes < chunkBytes) {
            throw new IllegalArgumentException("need 0 < chunkBytes (" + chunkBytes + ") <= maxBytes (" + maxBytes + ")");
        }
        this.store = store;
        this.chunkBytes = chunkBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<ChunkKey, Chunk>weigher((key, chunk) -> chunk.bytes() == null ? 1 : chunk.bytes().capacity())
                .recordStats()
                .buildAsync();
    }

    public int chunkBytes() {
        return chunkBytes;
    }

    /**
     * Bytes {@code [position, position + length)} of the object, clipped to its size, as a read-only
     * buffer positioned at 0. Served from one chunk without copying when it fits in one.
     */
    public CompletableFuture<ByteBuffer> read(String objectKey, long objectSize, long position, int length) {
        long end = Math.min(objectSize, position + length);
        if (position < 0 || position >= end) {
            return CompletableFuture.completedFuture(ByteBuffer.allocate(0));
        }
        long firstChunk = position / chunkBytes;
        long lastChunk = (end - 1) / chunkBytes;
        List<CompletableFuture<ByteBuffer>> chunks = new ArrayList<>();
        for (long i = firstChunk; i <= lastChunk; i++) {
            chunks.add(chunk(objectKey, objectSize, i));
        }
        return CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new)).thenApply(v -> {
            if (chunks.size() == 1) {
                return slice(chunks.get(0).join(), (int) (position - firstChunk * chunkBytes),
                        (int) (end - position));
            }
            // direct, like the chunks: the socket write of a Fetch response then sends it without a copy
            ByteBuffer out = ByteBuffer.allocateDirect((int) (end - position));
            for (int i = 0; i < chunks.size(); i++) {
                long chunkStart = (firstChunk + i) * chunkBytes;
                ByteBuffer chunk = chunks.get(i).join();
                int from = (int) Math.max(0, position - chunkStart);
                int to = (int) Math.min(chunk.limit(), end - chunkStart);
                out.put(slice(chunk, from, to - from));
            }
            return out.flip().asReadOnlyBuffer();
        });
    }

    /** Starts loading the chunk holding {@code position} if it is not cached; returns at once. */
    public void prefetch(String objectKey, long objectSize, long position) {
        if (position >= 0 && position < objectSize) {
            chunk(objectKey, objectSize, position / chunkBytes);
        }
    }

    private CompletableFuture<ByteBuffer> chunk(String objectKey, long objectSize, long index) {
        ChunkKey chunkKey = new ChunkKey(objectKey, index);
        CompletableFuture<Chunk> loading = cache.get(chunkKey, (key, executor) -> {
            gets.increment();
            long start = index * chunkBytes;
            int length = (int) Math.min(chunkBytes, objectSize - start);
            return store.getRange(objectKey, start, length).handle((buffer, e) -> {
                if (e != null) {
                    return new Chunk(null, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                }
                if (buffer.remaining() != length) {
                    return new Chunk(null, new IllegalStateException("short read of " + objectKey + " at " + start
                            + ": " + buffer.remaining() + " of " + length + " bytes"));
                }
                return new Chunk(buffer.asReadOnlyBuffer(), null);
            });
        });
        return loading.thenApply(chunk -> {
            if (chunk.failure() != null) {
                cache.asMap().remove(chunkKey, loading);
                throw new CompletionException(chunk.failure());
            }
            return chunk.bytes();
        });
    }

    private static ByteBuffer slice(ByteBuffer chunk, int from, int length) {
        return chunk.duplicate().position(from).limit(from + length).slice().asReadOnlyBuffer();
    }

    /** Drops every cached chunk of {@code objectKey} (its segment was deleted). */
    public void invalidate(String objectKey) {
        cache.synchronous().asMap().keySet().removeIf(key -> key.objectKey().equals(objectKey));
    }

    /** Ranged GETs issued so far. */
    public long gets() {
        return gets.sum();
    }

    public CacheStats stats() {
        return cache.synchronous().stats();
    }

    /** Bytes held now. */
    public long weightedSize() {
        return cache.synchronous().policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }
}
