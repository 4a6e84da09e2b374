package io.strata.tiering.testing;

import io.strata.objectstore.ListPage;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectNotFoundException;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.ObjectStoreException;
import io.strata.objectstore.PreconditionFailedException;
import io.strata.objectstore.PutCondition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ObjectStore} in memory, for unit tests only: conditional puts with ETags, ranged reads,
 * paged listing, and a switch that makes every call fail as an unreachable server would. Counts
 * requests by kind. Thread-safe.
 */
public final class InMemoryObjectStore implements ObjectStore {

    private record Stored(byte[] bytes, String etag) {
    }

    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    private final AtomicLong etags = new AtomicLong();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicBoolean hangingPuts = new AtomicBoolean();
    private volatile long deleteDelayMs;
    public final AtomicLong puts = new AtomicLong();
    public final AtomicLong rangedGets = new AtomicLong();
    public final AtomicLong gets = new AtomicLong();
    /** GETs (whole or ranged) of keys that hold no object. */
    public final AtomicLong missingGets = new AtomicLong();

    /** While down, every call fails with a retriable error. */
    public void setDown(boolean isDown) {
        down.set(isDown);
    }

    /** While set, a PUT never answers (a request whose response is lost and never times out). */
    public void setHangingPuts(boolean hanging) {
        hangingPuts.set(hanging);
    }

    public Map<String, byte[]> snapshot() {
        Map<String, byte[]> copy = new java.util.TreeMap<>();
        objects.forEach((k, v) -> copy.put(k, v.bytes()));
        return copy;
    }

    public Optional<byte[]> bytes(String key) {
        return Optional.ofNullable(objects.get(key)).map(Stored::bytes);
    }

    private <T> CompletableFuture<T> unavailable() {
        return CompletableFuture.failedFuture(new ObjectStoreException("test store is down", true, null));
    }

    @Override
    public CompletableFuture<ObjectInfo> putFile(String key, Path file, PutCondition condition) {
        try {
            return put(key, Files.readAllBytes(file), condition);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException(e));
        }
    }

    @Override
    public synchronized CompletableFuture<ObjectInfo> put(String key, byte[] bytes, PutCondition condition) {
        if (down.get()) {
            return unavailable();
        }
        if (hangingPuts.get()) {
            return new CompletableFuture<>();
        }
        puts.incrementAndGet();
        Stored current = objects.get(key);
        boolean holds = condition instanceof PutCondition.IfMatch m
                ? current != null && current.etag().equals(m.etag())
                : !(condition instanceof PutCondition.IfAbsent) || current == null;
        if (!holds) {
            return CompletableFuture.failedFuture(new PreconditionFailedException(key, null));
        }
        Stored stored = new Stored(bytes.clone(), "etag-" + etags.incrementAndGet());
        objects.put(key, stored);
        return CompletableFuture.completedFuture(new ObjectInfo(key, bytes.length, stored.etag()));
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        if (down.get()) {
            return unavailable();
        }
        gets.incrementAndGet();
        Stored stored = objects.get(key);
        if (stored == null) {
            missingGets.incrementAndGet();
            return CompletableFuture.failedFuture(new ObjectNotFoundException(key, null));
        }
        return CompletableFuture.completedFuture(stored.bytes().clone());
    }

    @Override
    public CompletableFuture<ByteBuffer> getRange(String key, long position, int length) {
        if (down.get()) {
            return unavailable();
        }
        rangedGets.incrementAndGet();
        Stored stored = objects.get(key);
        if (stored == null) {
            missingGets.incrementAndGet();
            return CompletableFuture.failedFuture(new ObjectNotFoundException(key, null));
        }
        int from = (int) Math.min(position, stored.bytes().length);
        int to = (int) Math.min((long) from + length, stored.bytes().length);
        return CompletableFuture.completedFuture(ByteBuffer.wrap(java.util.Arrays.copyOfRange(stored.bytes(), from, to)));
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        if (down.get()) {
            return unavailable();
        }
        Stored stored = objects.get(key);
        return CompletableFuture.completedFuture(Optional.ofNullable(stored)
                .map(s -> new ObjectInfo(key, s.bytes().length, s.etag())));
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        if (down.get()) {
            return unavailable();
        }
        List<ObjectInfo> page = new ArrayList<>();
        String next = null;
        for (Map.Entry<String, Stored> entry : objects.tailMap(continuationToken == null ? prefix : continuationToken,
                continuationToken == null).entrySet()) {
            if (!entry.getKey().startsWith(prefix)) {
                break;
            }
            if (page.size() == maxKeys) {
                next = page.get(page.size() - 1).key();
                break;
            }
            page.add(new ObjectInfo(entry.getKey(), entry.getValue().bytes().length, entry.getValue().etag()));
        }
        return CompletableFuture.completedFuture(new ListPage(page, next));
    }

    /** How long each batch delete takes from now on, completing on another thread (0: at once, on the caller's). */
    public void setDeleteDelayMs(long delayMs) {
        deleteDelayMs = delayMs;
    }

    @Override
    public CompletableFuture<Void> deleteAll(Collection<String> keys) {
        if (down.get()) {
            return unavailable();
        }
        if (deleteDelayMs > 0) {
            List<String> toDelete = List.copyOf(keys);
            return CompletableFuture.runAsync(() -> toDelete.forEach(objects::remove),
                    CompletableFuture.delayedExecutor(deleteDelayMs, java.util.concurrent.TimeUnit.MILLISECONDS));
        }
        keys.forEach(objects::remove);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
    }
}
