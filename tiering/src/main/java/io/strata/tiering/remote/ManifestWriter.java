package io.strata.tiering.remote;

import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PreconditionFailedException;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.log.PartitionLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes partition manifests ({@link PartitionManifest}) from the RocksDB catalog, each carrying the
 * writer generation of the broker's {@link PrefixLease}, and each with a conditional put: If-Match the
 * ETag this broker last wrote; for a partition it has not written since it started, If-None-Match when
 * there is no manifest yet, else If-Match the current one's ETag once it has checked that the current
 * one was not written by a newer generation. A lost condition (412) whose manifest turns out to hold
 * exactly the bytes this broker sent is its own write (a retried request whose first attempt landed);
 * any other 412, or a newer generation's manifest, means another broker writes under the same prefix:
 * the writer is fenced ({@link PrefixLease#fence}), nothing is overwritten, and the write fails with
 * {@link WriterFencedException}. Blocking; runs on the remote tier's worker threads. Thread-safe.
 */
final class ManifestWriter {

    private final ObjectStore store;
    private final RocksDbIndexStore index;
    private final RemoteMetrics metrics;
    private final PrefixLease lease;
    private final Map<String, String> etags = new ConcurrentHashMap<>();

    ManifestWriter(ObjectStore store, RocksDbIndexStore index, RemoteMetrics metrics, PrefixLease lease) {
        this.store = store;
        this.index = index;
        this.metrics = metrics;
        this.lease = lease;
    }

    /**
     * Writes the manifest of {@code log}: every segment the catalog has in COPY_FINISHED, plus
     * {@code alsoFinished} (a segment whose state is about to become COPY_FINISHED).
     *
     * @throws WriterFencedException when another writer changed the manifest, or the broker may not write
     */
    void write(PartitionLog log, Optional<RemoteSegment> alsoFinished) {
        List<RemoteSegment> finished = new ArrayList<>();
        for (RemoteSegment segment : index.remoteSegments().list(log.key())) {
            boolean replaced = alsoFinished.filter(f -> f.baseOffset() == segment.baseOffset()).isPresent();
            if (segment.state() == RemoteSegmentState.COPY_FINISHED && !replaced) {
                finished.add(segment);
            }
        }
        alsoFinished.ifPresent(finished::add);
        lease.checkWritable();
        long generation = generation(log);
        PartitionManifest manifest = PartitionManifest.of(log.topicPartition().topic(),
                RemoteLayout.kafkaId(log.key().topicId()), log.topicPartition().partition(), log.logStartOffset(),
                generation, finished);
        String key = RemoteLayout.partitionManifest(log.topicPartition(), log.key().topicId());
        byte[] json = manifest.toJson();
        PutCondition condition = condition(key, generation);
        try {
            ObjectInfo written = store.put(key, json, condition).join();
            metrics.copyRequests.increment();
            etags.put(key, written.etag());
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof PreconditionFailedException)) {
                throw e;
            }
            Optional<ObjectInfo> current = store.head(key).join();
            if (current.isPresent() && Arrays.equals(store.get(key).join(), json)) {
                etags.put(key, current.get().etag()); // our own write, answered 412 when the request was retried
                return;
            }
            etags.remove(key);
            throw fenced(key, "it was changed by another writer (" + describe(key) + ")");
        }
    }

    /**
     * The writer generation a manifest of {@code log} carries: the prefix lease's, or the partition's leader epoch
     * when higher. In single-broker mode the epoch is 0 and the claim's generation counts; in cluster mode the
     * brokers share the prefix (their lease has generation 0) and a partition's manifests are written by its
     * successive leaders, each at a higher leader epoch, so a leader that lost the partition never replaces its
     * successor's manifest (CLUSTER.md rule 2).
     */
    private long generation(PartitionLog log) {
        return Math.max(lease.generation(), log.leaderEpoch());
    }

    private PutCondition condition(String key, long generation) {
        String known = etags.get(key);
        if (known != null) {
            return PutCondition.ifMatch(known);
        }
        Optional<ObjectInfo> current = store.head(key).join();
        if (current.isEmpty()) {
            return PutCondition.IF_ABSENT;
        }
        long written = generationOf(store.get(key).join());
        if (written > generation) {
            throw fenced(key, "it was written by writer generation " + written + ", newer than this broker's");
        }
        return PutCondition.ifMatch(current.get().etag());
    }

    private WriterFencedException fenced(String key, String why) {
        lease.fence("manifest " + key + " not written: " + why + "; this broker's writer generation is "
                + lease.generation());
        return new WriterFencedException("fenced: another writer changed " + key, false);
    }

    /** The writer generation of a manifest; an unreadable one counts as newer than any. */
    private static long generationOf(byte[] json) {
        try {
            return PartitionManifest.fromJson(json).writerGeneration();
        } catch (IllegalArgumentException e) {
            return Long.MAX_VALUE;
        }
    }

    private String describe(String key) {
        try {
            return "its writer generation is now " + PartitionManifest.fromJson(store.get(key).join()).writerGeneration();
        } catch (RuntimeException e) {
            return "it is now gone or unreadable";
        }
    }

    /** Forgets what this writer knows of the manifests under {@code prefix} (their topic was deleted). */
    void forget(String prefix) {
        etags.keySet().removeIf(key -> key.startsWith(prefix));
    }
}
