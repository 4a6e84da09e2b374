package io.strata.tiering;

import io.strata.index.RocksDbIndexStore;
import io.strata.tiering.remote.ClusterManifest;
import io.strata.tiering.remote.RemoteLogManager;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out producer ids that are never handed out again, even after the RocksDB catalog is lost or the broker
 * is restored from the bucket. The counter lives in RocksDB ({@code producer.id.next}); ids are handed out in
 * blocks of {@value #BLOCK_SIZE}: before the first id of a new block is handed out, the block's end is written
 * durably to {@code meta.properties} ({@link DataDirectoryMeta}) and, when the broker tiers, to the bucket's
 * {@link ClusterManifest}. A rebuilt or restored catalog starts its counter at the greatest of these ends (and
 * of the ids found in the logs), so an idempotent producer is never mistaken for an older one. When the bucket
 * cannot be written, the allocation fails with COORDINATOR_LOAD_IN_PROGRESS, which clients retry (as Kafka
 * answers when its controller cannot hand out a block).
 * Thread-safe.
 */
final class ProducerIds {

    private static final Logger LOGGER = LoggerFactory.getLogger(ProducerIds.class);
    static final long BLOCK_SIZE = 1000;

    private final RocksDbIndexStore store;
    private final Path dataDir;
    private final Optional<RemoteLogManager> remote;
    private DataDirectoryMeta meta;
    /** The last write of the cluster manifest; the next one waits for it, so the bucket never goes back. */
    private CompletableFuture<Void> lastBucketWrite = CompletableFuture.completedFuture(null);

    ProducerIds(RocksDbIndexStore store, Path dataDir, DataDirectoryMeta meta, Optional<RemoteLogManager> remote) {
        this.store = store;
        this.dataDir = dataDir;
        this.meta = meta;
        this.remote = remote;
    }

    /** Writes {@code meta.properties} and, in the background, the cluster manifest (retried by the next block). */
    synchronized void publish() {
        meta.write(dataDir);
        remote.ifPresent(r -> lastBucketWrite = r.writeClusterManifest(manifest()).whenComplete((v, e) -> {
            if (e != null) {
                LOGGER.warn("Could not write the cluster manifest to the bucket (written again with the next block"
                        + " of producer ids): {}", e.toString());
            }
        }));
    }

    /** A producer id never handed out before. */
    synchronized long allocate() {
        long id = store.meta().allocateProducerId();
        if (id >= meta.producerIdBlockEnd()) {
            DataDirectoryMeta reserved = meta.withProducerIdBlockEnd(id + BLOCK_SIZE);
            reserved.write(dataDir);
            if (remote.isPresent()) {
                lastBucketWrite.handle((v, e) -> null).join();
                lastBucketWrite = remote.get().writeClusterManifest(
                        new ClusterManifest(reserved.clusterId(), reserved.producerIdBlockEnd()));
                try {
                    lastBucketWrite.join();
                } catch (CompletionException e) {
                    LOGGER.warn("Cannot reserve producer ids {} to {}: the cluster manifest could not be written to"
                            + " the bucket ({}); InitProducerId is answered COORDINATOR_LOAD_IN_PROGRESS and retried",
                            id, reserved.producerIdBlockEnd(), e.getCause().toString());
                    throw new CoordinatorLoadInProgressException("Cannot reserve a block of producer ids: the bucket"
                            + " did not take the cluster manifest (" + e.getCause() + ")");
                }
            }
            meta = reserved;
        }
        return id;
    }

    /** After a rebuild or restore: no id below {@code atLeast} will be handed out. */
    synchronized void startAtLeast(long atLeast, String why) {
        long before = store.meta().ensureNextProducerIdAtLeast(0);
        long now = store.meta().ensureNextProducerIdAtLeast(Math.max(atLeast, meta.producerIdBlockEnd()));
        if (now != before) {
            LOGGER.info("Producer ids continue from {} ({})", now, why);
        }
    }

    synchronized DataDirectoryMeta meta() {
        return meta;
    }

    private ClusterManifest manifest() {
        return new ClusterManifest(meta.clusterId(), meta.producerIdBlockEnd());
    }
}
