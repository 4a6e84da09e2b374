package io.strata.tiering.remote;

import io.strata.index.OffsetPosition;
import io.strata.index.PartitionKey;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import io.strata.tiering.log.RemoteReads;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;

/**
 * Reads record batches of remote segments through the {@link ChunkCache}: RocksDB's offset index
 * gives the byte position to start from, the batch headers in the cached chunks lead to the batch
 * holding the wanted offset, and the bytes come back exactly as they were uploaded. Each read
 * prefetches the {@code readAheadChunks} chunks after the one it ends in, continuing into the next
 * segments, so a sequential consumer rarely waits for a GET. Thread-safe; never blocks.
 */
public final class RemoteLogReader implements RemoteReads {

    private final RocksDbIndexStore index;
    private final ChunkCache cache;
    private final RemoteMetrics metrics;
    private final int readAheadChunks;

    public RemoteLogReader(RocksDbIndexStore index, ChunkCache cache, RemoteMetrics metrics, int readAheadChunks) {
        this.index = index;
        this.cache = cache;
        this.metrics = metrics;
        this.readAheadChunks = readAheadChunks;
    }

    /** A batch found in a segment object: where it starts and its bytes. */
    private record Found(long position, MutableRecordBatch batch) {
    }

    /**
     * Batches of {@code segment} from the one holding {@code fetchOffset}: at most {@code maxBytes}
     * and at most one chunk's worth ({@link ChunkCache#chunkBytes()}, so that no request, whatever it
     * asks, makes one read load more than two chunks or a buffer larger than a chunk; the last batch may
     * be cut short, as Kafka does), or the whole first batch when it alone is larger and
     * {@code minOneMessage} is set.
     */
    @Override
    public CompletableFuture<MemoryRecords> read(TopicPartition tp, PartitionKey key, RemoteSegment segment,
                                                 long fetchOffset, int maxBytes, boolean minOneMessage) {
        String objectKey = RemoteLayout.segment(tp, key.topicId(), segment.baseOffset());
        long start = startPosition(key, segment, fetchOffset);
        metrics.fetchRequests.increment();
        return find(objectKey, segment.sizeBytes(), start, b -> b.lastOffset() >= fetchOffset)
                .thenCompose(found -> {
                    if (found.isEmpty()) {
                        return CompletableFuture.completedFuture(MemoryRecords.EMPTY);
                    }
                    long position = found.get().position();
                    int batchSize = found.get().batch().sizeInBytes();
                    long available = segment.sizeBytes() - position;
                    long length = Math.min(available, Math.min(cache.chunkBytes(), Math.max(0, maxBytes)));
                    if (minOneMessage && length < batchSize) {
                        length = Math.min(available, batchSize);
                    }
                    if (length <= 0) {
                        return CompletableFuture.completedFuture(MemoryRecords.EMPTY);
                    }
                    long end = position + length;
                    prefetchAfter(tp, key, segment, objectKey, end);
                    return cache.read(objectKey, segment.sizeBytes(), position, (int) length)
                            .thenApply(bytes -> {
                                metrics.fetchBytes.add(bytes.remaining());
                                return MemoryRecords.readableRecords(bytes);
                            });
                })
                .handle((records, e) -> {
                    if (e != null) {
                        metrics.fetchErrors.increment();
                        throw storageError("read offset " + fetchOffset + " of " + tp + " from " + objectKey, e);
                    }
                    return records;
                });
    }

    /** Any failure of a remote read, as the retriable error Kafka clients expect from a storage problem. */
    private static KafkaStorageException storageError(String what, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof KafkaStorageException storage) {
            return storage;
        }
        return new KafkaStorageException("Could not " + what + ": " + cause.getMessage(), cause);
    }

    /** Where to start scanning {@code segment} for {@code offset}: its nearest offset index entry, or 0. */
    private long startPosition(PartitionKey key, RemoteSegment segment, long offset) {
        return index.offsetIndex().floor(key, offset)
                .filter(e -> e.segmentBaseOffset() == segment.baseOffset())
                .map(OffsetPosition::position)
                .orElse(0);
    }

    /** The first batch at or after {@code position} that {@code wanted} accepts, scanning chunk by chunk. */
    private CompletableFuture<Optional<Found>> find(String objectKey, long objectSize, long position,
                                                    Predicate<RecordBatch> wanted) {
        if (position + Records.LOG_OVERHEAD > objectSize) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        int chunk = cache.chunkBytes();
        int toChunkEnd = (int) (chunk - position % chunk);
        return cache.read(objectKey, objectSize, position, toChunkEnd).thenCompose(bytes -> {
            long consumed = 0;
            Iterator<MutableRecordBatch> batches = MemoryRecords.readableRecords(bytes).batches().iterator();
            while (batches.hasNext()) {
                MutableRecordBatch batch = batches.next();
                if (wanted.test(batch)) {
                    return CompletableFuture.completedFuture(Optional.of(new Found(position + consumed, batch)));
                }
                consumed += batch.sizeInBytes();
            }
            long next = position + consumed;
            if (bytes.remaining() - consumed >= Records.LOG_OVERHEAD) {
                int size = bytes.getInt((int) consumed + Records.SIZE_OFFSET) + Records.LOG_OVERHEAD;
                return crossing(objectKey, objectSize, next, size, wanted);
            }
            if (consumed == 0) {
                return crossing(objectKey, objectSize, next, Records.LOG_OVERHEAD, wanted);
            }
            return find(objectKey, objectSize, next, wanted);
        });
    }

    /** A batch (or just a header) that straddles a chunk boundary: read it whole, then go on. */
    private CompletableFuture<Optional<Found>> crossing(String objectKey, long objectSize, long position, int size,
                                                        Predicate<RecordBatch> wanted) {
        if (size <= Records.LOG_OVERHEAD) {
            return cache.read(objectKey, objectSize, position, Records.LOG_OVERHEAD).thenCompose(header -> {
                if (header.remaining() < Records.LOG_OVERHEAD) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }
                int batchSize = header.getInt(Records.SIZE_OFFSET) + Records.LOG_OVERHEAD;
                return crossing(objectKey, objectSize, position, batchSize, wanted);
            });
        }
        return cache.read(objectKey, objectSize, position, size).thenCompose(bytes -> {
            Iterator<MutableRecordBatch> it = MemoryRecords.readableRecords(bytes).batches().iterator();
            if (!it.hasNext()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            MutableRecordBatch batch = it.next();
            if (wanted.test(batch)) {
                return CompletableFuture.completedFuture(Optional.of(new Found(position, batch)));
            }
            return find(objectKey, objectSize, position + size, wanted);
        });
    }

    /**
     * Read-ahead: the {@code readAheadChunks} chunks after the one holding the read's last byte
     * ({@code end - 1}), continuing with the first chunks of the following remote segments whose copy
     * has finished (before that their objects may not exist). A consumer reads a chunk in several
     * fetches (1 MiB each by default, against 4 MiB chunks), so the next chunks start loading when the
     * first of them arrives. Two chunks keep a GET in flight while the reader is still in the previous
     * chunk: with one, a reader that is faster than one GET waits for each chunk in turn.
     */
    private void prefetchAfter(TopicPartition tp, PartitionKey key, RemoteSegment segment, String objectKey, long end) {
        long chunk = cache.chunkBytes();
        long next = ((end - 1) / chunk + 1) * chunk;
        RemoteSegment current = segment;
        String currentKey = objectKey;
        for (int loaded = 0; loaded < readAheadChunks; loaded++) {
            if (next >= current.sizeBytes()) {
                long nextOffset = current.nextOffset();
                Optional<RemoteSegment> following = index.remoteSegments().floor(key, nextOffset)
                        .filter(s -> s.baseOffset() == nextOffset && s.state() == RemoteSegmentState.COPY_FINISHED);
                if (following.isEmpty()) {
                    return;
                }
                current = following.get();
                currentKey = RemoteLayout.segment(tp, key.topicId(), current.baseOffset());
                next = 0;
            }
            cache.prefetch(currentKey, current.sizeBytes(), next);
            next += chunk;
        }
    }

}
