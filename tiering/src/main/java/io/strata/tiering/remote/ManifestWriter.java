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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes partition manifests ({@link PartitionManifest}) from the RocksDB catalog, each with a
 * conditional put: If-Match the ETag this broker last wrote, or If-None-Match when there is none
 * yet. When the condition fails, someone else wrote the manifest: the broker says so in its log and
 * writes its own catalog over it (its catalog is the truth for the partitions it serves). Blocking;
 * runs on the remote tier's worker threads. Thread-safe.
 */
final class ManifestWriter {

    private static final Logger LOGGER = LoggerFactory.getLogger(ManifestWriter.class);

    private final ObjectStore store;
    private final RocksDbIndexStore index;
    private final RemoteMetrics metrics;
    private final Map<String, String> etags = new ConcurrentHashMap<>();

    ManifestWriter(ObjectStore store, RocksDbIndexStore index, RemoteMetrics metrics) {
        this.store = store;
        this.index = index;
        this.metrics = metrics;
    }

    /**
     * Writes the manifest of {@code log}: every segment the catalog has in COPY_FINISHED, plus
     * {@code alsoFinished} (a segment whose state is about to become COPY_FINISHED).
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
        PartitionManifest manifest = PartitionManifest.of(log.topicPartition().topic(),
                RemoteLayout.kafkaId(log.key().topicId()), log.topicPartition().partition(), log.logStartOffset(),
                finished);
        String key = RemoteLayout.partitionManifest(log.topicPartition(), log.key().topicId());
        byte[] json = manifest.toJson();
        try {
            put(key, json, condition(key));
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof PreconditionFailedException)) {
                throw e;
            }
            LOGGER.warn("The manifest {} was changed by another writer; writing this broker's catalog over it", key);
            etags.remove(key);
            put(key, json, condition(key));
        }
    }

    private void put(String key, byte[] json, PutCondition condition) {
        ObjectInfo written = store.put(key, json, condition).join();
        metrics.copyRequests.increment();
        etags.put(key, written.etag());
    }

    private PutCondition condition(String key) {
        String known = etags.get(key);
        if (known != null) {
            return PutCondition.ifMatch(known);
        }
        return store.head(key).join()
                .map(info -> PutCondition.ifMatch(info.etag()))
                .orElse(PutCondition.IF_ABSENT);
    }

    /** Forgets what this writer knows of the manifests under {@code prefix} (their topic was deleted). */
    void forget(String prefix) {
        etags.keySet().removeIf(key -> key.startsWith(prefix));
    }
}
