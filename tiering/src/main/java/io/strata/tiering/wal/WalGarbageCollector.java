package io.strata.tiering.wal;

import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.remote.RemoteLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes write-ahead-log objects from the bucket by reference, never by age (CLUSTER.md invariant 5, rule 6). Run
 * by the controller, one {@link #collect pass} at a time, with its controller epoch; every decision is a database
 * write fenced by that epoch, taken before anything is deleted:
 * <ol>
 *   <li><b>Collectable objects.</b> {@link MetadataStore#collectableWalObjects} marks up to {@code batchSize}
 *       committed objects none of whose ranges is needed (released after an upload, or of a deleted partition) as
 *       deleting and returns them (those a crashed pass marked, too); they are deleted from the bucket, then
 *       {@link MetadataStore#forgetWalObjects forgotten}. Repeated while full batches come back.</li>
 *   <li><b>Orphans.</b> The bucket is listed under {@code wal/}; then, for each incarnation found there
 *       ({@link RemoteLayout#walIncarnationOf}) that is not live, the incarnation is
 *       {@link MetadataStore#revokeWalWriter revoked} (none of its commits passes from then on), and its objects
 *       that no commit recorded ({@link MetadataStore#committedWalObjects}) are deleted: a PUT whose commit failed or
 *       never came. Its committed objects wait for step 1.</li>
 * </ol>
 * The live incarnations are read after the listing: a broker registers before it writes its first WAL object, so
 * an object listed belongs to an incarnation that the supplier reports if it is still alive. The supplier may
 * report the controller's view of liveness: revoking a broker that is in fact alive only fences its commits (it
 * never acknowledges what it could not commit). In single-broker mode with the embedded store, the bucket's WAL
 * objects are the commit record of a broker that lost its disk (rule 5): orphans may be collected only after that
 * broker has replayed them into its store.
 *
 * <p>A pass blocks on the database and on the bucket (up to {@code requestTimeout} per bucket call): run it on the
 * controller's own thread, never on an event loop. A failure of either stops the pass, is logged and counted; the
 * next pass resumes where it stopped (objects marked deleting are returned again). Not thread-safe: one pass at a
 * time.
 */
public final class WalGarbageCollector {

    private static final Logger LOGGER = LoggerFactory.getLogger(WalGarbageCollector.class);
    /** Batches of collectable objects taken in one pass at most (the rest waits for the next pass). */
    private static final int MAX_BATCHES_PER_PASS = 10;

    /** How a pass ended. */
    public enum Outcome {
        /** Everything it found was collected. */
        DONE,
        /** The controller lease moved: this broker must not collect anything any more. */
        DEPOSED,
        /** The bucket or the database failed; the next pass resumes. */
        FAILED
    }

    /** What one pass did: objects and orphans deleted from the bucket, and how it ended. */
    public record Pass(int objectsCollected, int orphansCollected, Outcome outcome) {
    }

    private final MetadataStore metadata;
    private final ObjectStore bucket;
    private final Supplier<Set<UUID>> liveIncarnations;
    private final WalGcMetrics metrics;
    private final int batchSize;
    private final Duration requestTimeout;

    /**
     * @param liveIncarnations the incarnations of the brokers that are alive (registered and not declared dead by
     *                         the controller), read once per pass after the bucket's listing
     * @param batchSize        objects marked and deleted per database transaction and bucket request (1000 is the
     *                         most one S3 DeleteObjects takes)
     * @param requestTimeout   the longest wait for one bucket call (its own retries included)
     */
    public WalGarbageCollector(MetadataStore metadata, ObjectStore bucket, Supplier<Set<UUID>> liveIncarnations,
                               WalGcMetrics metrics, int batchSize, Duration requestTimeout) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("a batch holds at least one object, not " + batchSize);
        }
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.liveIncarnations = Objects.requireNonNull(liveIncarnations, "liveIncarnations");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.batchSize = batchSize;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /** One pass as the controller at {@code controllerEpoch}. Never throws for a failure of the bucket or database. */
    public Pass collect(long controllerEpoch) {
        int objects = 0;
        int orphans = 0;
        try {
            if (!controllerStillAt(controllerEpoch)) {
                return new Pass(0, 0, Outcome.DEPOSED);
            }
            objects = collectUnneeded(controllerEpoch);
            Optional<Integer> orphaned = collectOrphans(controllerEpoch);
            if (orphaned.isEmpty()) {
                return new Pass(objects, 0, Outcome.DEPOSED);
            }
            orphans = orphaned.get();
            return new Pass(objects, orphans, Outcome.DONE);
        } catch (MetadataException | BucketFailure e) {
            metrics.failedPasses.increment();
            LOGGER.warn("WAL garbage collection stopped after {} objects and {} orphans (the next pass resumes): {}",
                    objects, orphans, e.getMessage());
            return new Pass(objects, orphans, Outcome.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Pass(objects, orphans, Outcome.FAILED);
        }
    }

    /**
     * Step 1: the number of objects deleted. A deposed controller gets nothing to collect (and finds out in step 2);
     * objects it marked before are safe to delete: no range may refer to them again.
     */
    private int collectUnneeded(long controllerEpoch) throws BucketFailure, InterruptedException {
        int collected = 0;
        for (int batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
            List<String> keys = metadata.collectableWalObjects(controllerEpoch, batchSize);
            if (keys.isEmpty()) {
                break;
            }
            await(bucket.deleteAll(keys), "delete " + keys.size() + " collectable WAL objects");
            metadata.forgetWalObjects(keys);
            collected += keys.size();
            metrics.objectsCollected.add(keys.size());
            LOGGER.debug("Deleted {} WAL objects none of whose ranges is needed any more", keys.size());
            if (keys.size() < batchSize) {
                break;
            }
        }
        return collected;
    }

    /**
     * Whether the lease is still at the epoch: {@link MetadataStore#collectableWalObjects} answers a deposed
     * controller with nothing, which alone would read as "nothing to collect".
     */
    private boolean controllerStillAt(long controllerEpoch) {
        return metadata.controller().filter(lease -> lease.epoch() == controllerEpoch).isPresent();
    }

    /** Step 2: the number of orphans deleted, or empty when deposed. */
    private Optional<Integer> collectOrphans(long controllerEpoch) throws BucketFailure, InterruptedException {
        Map<UUID, List<String>> byIncarnation = new TreeMap<>();
        for (ObjectInfo object : await(bucket.listAll(RemoteLayout.WAL), "list " + RemoteLayout.WAL)) {
            RemoteLayout.walIncarnationOf(object.key()).ifPresentOrElse(
                    incarnation -> byIncarnation.computeIfAbsent(incarnation, i -> new ArrayList<>()).add(object.key()),
                    () -> LOGGER.debug("{} is not a WAL object key; left alone", object.key()));
        }
        Set<UUID> live = Set.copyOf(liveIncarnations.get());
        int collected = 0;
        for (Map.Entry<UUID, List<String>> incarnation : byIncarnation.entrySet()) {
            if (live.contains(incarnation.getKey())) {
                continue;
            }
            if (!metadata.revokeWalWriter(controllerEpoch, incarnation.getKey())) {
                return Optional.empty();
            }
            metrics.writersRevoked.increment();
            Set<String> committed = new HashSet<>(metadata.committedWalObjects(incarnation.getKey()));
            List<String> orphans = incarnation.getValue().stream().filter(key -> !committed.contains(key)).toList();
            for (int from = 0; from < orphans.size(); from += batchSize) {
                List<String> batch = orphans.subList(from, Math.min(orphans.size(), from + batchSize));
                await(bucket.deleteAll(batch), "delete " + batch.size() + " orphaned WAL objects");
                collected += batch.size();
                metrics.orphansCollected.add(batch.size());
            }
            if (!orphans.isEmpty()) {
                LOGGER.info("Deleted {} WAL objects of dead incarnation {} that no commit recorded", orphans.size(),
                        incarnation.getKey());
            }
        }
        return Optional.of(collected);
    }

    private <T> T await(CompletableFuture<T> call, String what) throws BucketFailure, InterruptedException {
        try {
            return call.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new BucketFailure("could not " + what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new BucketFailure("could not " + what + " within " + requestTimeout.toMillis() + " ms", e);
        }
    }

    /** The bucket failed a call of this pass. */
    private static final class BucketFailure extends Exception {
        BucketFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
