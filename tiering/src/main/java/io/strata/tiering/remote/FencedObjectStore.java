package io.strata.tiering.remote;

import io.strata.objectstore.ForwardingObjectStore;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PutCondition;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The remote tier's view of the bucket: reads pass through, every write and delete first checks the
 * broker's {@link PrefixLease} and fails with {@link WriterFencedException} (sending nothing) when the
 * broker may not write. One gate for uploads, manifests, retention and topic deletes and the group
 * offsets pass. Closing it does not close the store underneath. Thread-safe.
 */
final class FencedObjectStore extends ForwardingObjectStore {

    private final PrefixLease lease;

    FencedObjectStore(ObjectStore store, PrefixLease lease) {
        super(store);
        this.lease = lease;
    }

    private <T> CompletableFuture<T> ifWritable(Supplier<CompletableFuture<T>> write) {
        try {
            lease.checkWritable();
        } catch (WriterFencedException e) {
            return CompletableFuture.failedFuture(e);
        }
        return write.get();
    }

    @Override
    public CompletableFuture<ObjectInfo> putFile(String key, Path file, PutCondition condition) {
        return ifWritable(() -> delegate.putFile(key, file, condition));
    }

    @Override
    public CompletableFuture<ObjectInfo> put(String key, byte[] bytes, PutCondition condition) {
        return ifWritable(() -> delegate.put(key, bytes, condition));
    }

    @Override
    public CompletableFuture<Void> deleteAll(Collection<String> keys) {
        return ifWritable(() -> delegate.deleteAll(keys));
    }
}
