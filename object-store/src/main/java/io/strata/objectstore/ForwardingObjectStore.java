package io.strata.objectstore;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link ObjectStore} that passes every call to another one: subclasses override the calls they
 * change (a gate on writes, an injected fault). {@link #close()} does not close the store underneath,
 * which belongs to whoever opened it. Thread-safe when the store underneath is.
 */
public abstract class ForwardingObjectStore implements ObjectStore {

    protected final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<ObjectInfo> putFile(String key, Path file, PutCondition condition) {
        return delegate.putFile(key, file, condition);
    }

    @Override
    public CompletableFuture<ObjectInfo> put(String key, byte[] bytes, PutCondition condition) {
        return delegate.put(key, bytes, condition);
    }

    @Override
    public CompletableFuture<byte[]> get(String key) {
        return delegate.get(key);
    }

    @Override
    public CompletableFuture<ByteBuffer> getRange(String key, long position, int length) {
        return delegate.getRange(key, position, length);
    }

    @Override
    public CompletableFuture<Optional<ObjectInfo>> head(String key) {
        return delegate.head(key);
    }

    @Override
    public CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys) {
        return delegate.list(prefix, continuationToken, maxKeys);
    }

    @Override
    public CompletableFuture<Void> deleteAll(Collection<String> keys) {
        return delegate.deleteAll(keys);
    }

    @Override
    public void close() {
    }
}
