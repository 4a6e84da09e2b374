package io.strata.objectstore;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The port through which Strata reads and writes its bucket. Every call is asynchronous and never
 * blocks the caller's thread; futures complete on the implementation's own threads, so callers
 * that must continue on a particular thread (a Vert.x context) hop back themselves.
 *
 * <p>Failures complete the future exceptionally with an {@link ObjectStoreException}: {@link
 * ObjectNotFoundException} when a key does not exist, {@link PreconditionFailedException} when a
 * conditional write lost (HTTP 412), and a plain {@code ObjectStoreException} (with {@link
 * ObjectStoreException#retriable()}) for everything else, after the implementation's own retries.
 *
 * <p>Keys are relative to the store's prefix; implementations add and strip it.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Uploads a file as one object, unconditionally. Files larger than the implementation's part
     * size go up as a multipart upload; a failed multipart upload is aborted, so no partial object
     * is ever visible under {@code key}.
     */
    default CompletableFuture<ObjectInfo> putFile(String key, Path file) {
        return putFile(key, file, PutCondition.NONE);
    }

    /**
     * Uploads a file as {@link #putFile(String, Path)} does, subject to {@code condition}: a
     * multipart upload is completed with the condition too (If-None-Match / If-Match on
     * CompleteMultipartUpload), so a large file never replaces an object the condition protects.
     */
    CompletableFuture<ObjectInfo> putFile(String key, Path file, PutCondition condition);

    /** Writes a small object from memory, subject to {@code condition}. */
    CompletableFuture<ObjectInfo> put(String key, byte[] bytes, PutCondition condition);

    /** Reads a whole (small) object. */
    CompletableFuture<byte[]> get(String key);

    /**
     * Reads {@code length} bytes starting at {@code position}. The result may be shorter than
     * {@code length} only when the object ends first. The buffer is positioned at 0.
     */
    CompletableFuture<ByteBuffer> getRange(String key, long position, int length);

    /** The object's size and ETag, or empty if there is no such key. */
    CompletableFuture<Optional<ObjectInfo>> head(String key);

    /** One page (at most {@code maxKeys}) of the keys under {@code prefix}, in key order. */
    CompletableFuture<ListPage> list(String prefix, String continuationToken, int maxKeys);

    /** Every key under {@code prefix}, following continuation tokens. */
    default CompletableFuture<List<ObjectInfo>> listAll(String prefix) {
        return ListPage.collectAll(token -> list(prefix, token, 1000));
    }

    /**
     * Deletes the keys (missing keys are not an error), in batches the server accepts. Completes
     * exceptionally if any key could not be deleted.
     */
    CompletableFuture<Void> deleteAll(Collection<String> keys);

    @Override
    void close();
}
