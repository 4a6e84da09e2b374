package io.strata.tiering.remote;

import io.strata.index.PartitionKey;
import io.strata.index.ProducerStateEntry;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.PartitionLog;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote tier of the broker: every {@code taskIntervalMs} it copies each tiered partition's
 * sealed segments to the bucket ({@link SegmentCopier}), then applies total retention across both
 * tiers ({@link RemoteRetention}); it writes topic manifests, deletes a deleted topic's objects, and
 * serves reads of remote segments ({@link RemoteLogReader}). A partition is worked on by one copy
 * thread at a time; after a failure it waits with exponential backoff, so an unreachable bucket
 * costs a log line per attempt, while producers carry on against the local disk. Committed group
 * offsets go to the bucket on the same scheduler ({@link GroupOffsetUploader}).
 *
 * <p>Cluster mode: the periodic passes (uploads, manifest writes, remote retention) act on a partition only
 * while the write gate ({@link #setWriteGate}) says this broker may write it, and write a topic's manifest
 * only while it may write one of its partitions; every upload is confirmed by the {@link UploadFence}
 * before it is cataloged. A hand-over uploads a partition's whole log at once ({@link #handOff}, {@link HandOffUpload}); a new leader
 * rebuilds the partition's catalog from the bucket ({@link #restorePartition}) after {@link #claim}ing its old log.
 */
public final class RemoteLogManager implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(RemoteLogManager.class);
    /** How long a clean shutdown waits for the last committed offsets to reach the bucket. */
    private static final long SHUTDOWN_FLUSH_MS = 5_000;
    private static final long SHUTDOWN_DELETIONS_MS = 5_000;

    private final ObjectStore store;
    private final PrefixLease lease;
    private final RocksDbIndexStore index;
    private final RemoteConfig config;
    private final Clock clock;
    private final RemoteMetrics metrics = new RemoteMetrics();
    private final ChunkCache cache;
    private final RemoteLogReader reader;
    private final ManifestWriter manifests;
    private final SegmentCopier copier;
    private final RemoteRetention retention;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final GroupOffsetUploader groupOffsets;
    private final TopicObjectDeleter deleter;
    private final ProducerStateObjects producerStates;
    private final HandOffUpload handOffs;
    private volatile Predicate<TopicPartition> writeGate = tp -> true;
    private final Map<PartitionLog, Backoff> partitions = new ConcurrentHashMap<>();
    /** The topic definition last written to each topic manifest: a topic whose definition differs gets it rewritten. */
    private final Map<UUID, TopicRecord> topicManifestsWritten = new ConcurrentHashMap<>();
    private final Map<UUID, Backoff> topicManifestRetries = new ConcurrentHashMap<>();
    private volatile Supplier<Collection<TopicLogs>> topics = List::of;
    /** Topic deletions under way, which a clean shutdown lets finish. */
    private final Set<CompletableFuture<Void>> topicDeletions = ConcurrentHashMap.newKeySet();

    /**
     * @param lease this broker's right to write under the bucket prefix: every write and delete checks it, and
     *              while the broker may not write the copy, retention and group-offset passes do not run
     */
    public RemoteLogManager(ObjectStore store, RocksDbIndexStore index, RemoteConfig config, Clock clock,
                            PrefixLease lease) {
        this.store = new FencedObjectStore(store, lease);
        this.lease = lease;
        this.index = index;
        this.config = config;
        this.clock = clock;
        this.cache = new ChunkCache(store, config.fetchChunkBytes(), config.fetchCacheBytes());
        this.reader = new RemoteLogReader(index, cache, metrics, config.fetchReadAheadChunks());
        this.manifests = new ManifestWriter(this.store, index, metrics, lease);
        this.copier = new SegmentCopier(this.store, index, manifests, new RateLimiter(config.copyMaxBytesPerSecond()),
                metrics, clock, lease);
        this.retention = new RemoteRetention(this.store, index, manifests, cache, metrics, clock);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(named("remote-scheduler"));
        this.workers = Executors.newFixedThreadPool(config.copyThreads(), named("remote-copy"));
        this.groupOffsets = new GroupOffsetUploader(this.store, index, scheduler, lease.shared());
        this.deleter = new TopicObjectDeleter(this.store, scheduler, config, clock);
        this.producerStates = new ProducerStateObjects(this.store);
        this.handOffs = new HandOffUpload(lease, copier, manifests, producerStates, config, this::ensureTopicManifest);
    }

    /** Per-partition exclusion and retry schedule. */
    private static final class Backoff {
        boolean busy;
        long nextAttemptMs;
        long delayMs;
        /** The {@link UploadFence} refused an upload: no more uploads of this log (a reopen makes a new one). */
        boolean fenced;
    }

    /**
     * Sets which partitions this broker may write to the bucket: the periodic passes skip the others (default:
     * every partition).
     */
    public void setWriteGate(Predicate<TopicPartition> mayWrite) {
        this.writeGate = Objects.requireNonNull(mayWrite, "mayWrite");
    }

    /** Whether the write gate lets this broker write {@code tp} now. */
    public boolean mayWrite(TopicPartition tp) {
        return writeGate.test(tp);
    }

    /** Sets the fence every upload is confirmed by before it is cataloged (default {@link UploadFence#ALWAYS}). */
    public void setUploadFence(UploadFence fence) {
        copier.setFence(fence);
    }

    /** Restores topics and catalogs from the bucket into an empty RocksDB store (see {@link BucketRestore}). */
    public BucketRestore.Result restoreFromBucket() {
        return new BucketRestore(store, index).restoreAll();
    }

    /** The bucket's cluster manifest ({@link ClusterManifest}), read and checked; blocking. */
    public Optional<ClusterManifest> readClusterManifest() {
        return new BucketRestore(store, index).clusterManifest();
    }

    /** Writes the cluster manifest ({@link ClusterManifest}); completes when it is in the bucket. */
    public CompletableFuture<Void> writeClusterManifest(ClusterManifest manifest) {
        return store.put(RemoteLayout.CLUSTER_MANIFEST, manifest.toJson(), PutCondition.NONE).thenApply(info -> null);
    }

    /** Starts the periodic copy and retention passes over {@code topics}, and the upload of group offsets. */
    public void start(Supplier<Collection<TopicLogs>> topics) {
        this.topics = topics;
        groupOffsets.start(scheduler, config.offsetsSyncIntervalMs(), lease::writable);
        scheduler.scheduleWithFixedDelay(this::runOnce, config.taskIntervalMs(), config.taskIntervalMs(),
                TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::logActivity, 60, 60, TimeUnit.SECONDS);
    }

    private String lastActivity = "";

    /** One INFO line with the remote tier's counters, when they changed since the last one. */
    private void logActivity() {
        var stats = cache.stats();
        String activity = String.format("copied %d bytes in %d PUTs (%d errors); fetched %d bytes for %d remote reads"
                        + " (%d errors) with %d ranged GETs; cache %d hits, %d misses, %d evictions, %d bytes held;"
                        + " %d segments deleted", metrics.copyBytes(), metrics.copyRequests(), metrics.copyErrors(),
                metrics.fetchBytes(), metrics.fetchRequests(), metrics.fetchErrors(), cache.gets(), stats.hitCount(),
                stats.missCount(), stats.evictionCount(), cache.weightedSize(), metrics.deletedSegments());
        if (!activity.equals(lastActivity)) {
            lastActivity = activity;
            LOGGER.info("Remote tier: {}", activity);
        }
    }

    /** Runs one pass now and waits for it: for tests and for a clean shutdown's final upload attempt. */
    public void runPassAndWait() {
        runOnce().join();
    }

    /** Connects a newly opened topic's logs to the bucket. */
    public void attach(TopicLogs topic) {
        topic.partitions().forEach(this::attach);
    }

    /** Connects one newly opened partition log to the bucket. */
    public void attach(PartitionLog log) {
        log.attachRemote(reader, copiedEnd(log));
    }

    /** One past the last offset of the contiguous run of COPY_FINISHED segments, 0 when none. */
    private long copiedEnd(PartitionLog log) {
        long end = 0;
        for (RemoteSegment segment : index.remoteSegments().list(log.key())) {
            if (segment.state() == RemoteSegmentState.COPY_FINISHED) {
                end = Math.max(end, segment.nextOffset());
            }
        }
        return end;
    }

    /**
     * One pass: topic manifests, then every tiered partition that is not busy or backing off.
     * Completes when the partitions it started are done (tests wait on it; the scheduler does not).
     */
    CompletableFuture<Void> runOnce() {
        List<CompletableFuture<Void>> started = new java.util.ArrayList<>();
        if (!lease.writable()) {
            return CompletableFuture.completedFuture(null); // fenced or lapsed: the lease has said so in the log
        }
        try {
            long now = clock.millis();
            for (TopicLogs topic : topics.get()) {
                if (!topic.config().remoteStorageEnable()) {
                    continue;
                }
                UUID topicId = topic.record().topicId();
                List<PartitionLog> writable = topic.partitions().stream()
                        .filter(log -> writeGate.test(log.topicPartition())).toList();
                if (writable.isEmpty()) {
                    continue; // another broker writes this topic's objects
                }
                Backoff manifestBackoff = topicManifestRetries.computeIfAbsent(topicId, id -> new Backoff());
                // A new topic, or one whose configs or partition count changed since its manifest was written
                boolean manifestCurrent = topic.record().equals(topicManifestsWritten.get(topicId));
                if (!manifestCurrent && now < manifestBackoff.nextAttemptMs) {
                    continue;
                }
                CompletableFuture<Void> manifestWritten = manifestCurrent
                        ? CompletableFuture.completedFuture(null) : writeTopicManifest(topic.record(), manifestBackoff);
                for (PartitionLog log : writable) {
                    Backoff backoff = partitions.computeIfAbsent(log, l -> new Backoff());
                    synchronized (backoff) {
                        if (backoff.busy || backoff.fenced || now < backoff.nextAttemptMs || !log.tiered()) {
                            continue;
                        }
                        backoff.busy = true;
                    }
                    // Segments go up only once the bucket knows the topic, so a restore never meets orphans.
                    started.add(manifestWritten.thenRunAsync(() -> {
                        if (topicManifestsWritten.containsKey(topicId) && writeGate.test(log.topicPartition())) {
                            syncPartition(log, backoff);
                        } else {
                            synchronized (backoff) {
                                backoff.busy = false;
                            }
                        }
                    }, workers));
                }
            }
        } catch (RuntimeException e) {
            LOGGER.error("Remote tier pass failed: {}", e.toString());
        }
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new));
    }

    private void syncPartition(PartitionLog log, Backoff backoff) {
        boolean failed = false;
        try {
            copier.copyPending(log);
            retention.apply(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UploadFencedException e) {
            synchronized (backoff) {
                backoff.fenced = true; // logged by the copier
            }
        } catch (RuntimeException e) {
            failed = true;
            if (!(rootCause(e) instanceof WriterFencedException)) { // a fence or lapse is logged by the lease
                LOGGER.warn("Remote tier work on {} failed (retrying in {} ms): {}", log.topicPartition(),
                        nextDelay(backoff), rootMessage(e));
            }
        } finally {
            synchronized (backoff) {
                if (failed) {
                    backoff.delayMs = nextDelay(backoff);
                    backoff.nextAttemptMs = clock.millis() + backoff.delayMs;
                } else {
                    backoff.delayMs = 0;
                    backoff.nextAttemptMs = 0;
                }
                backoff.busy = false;
            }
        }
    }

    private long nextDelay(Backoff backoff) {
        return backoff.delayMs == 0 ? config.retryBackoffMs()
                : Math.min(config.retryBackoffMaxMs(), backoff.delayMs * 2);
    }

    private CompletableFuture<Void> writeTopicManifest(TopicRecord topic, Backoff backoff) {
        String key = RemoteLayout.topicManifest(topic.name(), topic.topicId());
        return store.put(key, TopicManifest.of(topic).toJson(), PutCondition.NONE).handle((info, e) -> {
            synchronized (backoff) {
                if (e == null) {
                    metrics.copyRequests.increment();
                    topicManifestsWritten.put(topic.topicId(), topic);
                    backoff.delayMs = 0;
                } else {
                    backoff.delayMs = nextDelay(backoff);
                    backoff.nextAttemptMs = clock.millis() + backoff.delayMs;
                    LOGGER.warn("Could not write {} (retrying in {} ms): {}", key, backoff.delayMs, rootMessage(e));
                }
            }
            return null;
        });
    }

    /**
     * Deletes every object of a deleted topic, in the background, once no copy of its partitions is
     * in flight (a copy finishing after the listing would leave an orphan), retrying with backoff until
     * they are gone ({@link TopicObjectDeleter}). The caller keeps a durable deletion intent until the
     * returned future completes, and calls this again after a restart for an unfinished one.
     */
    public CompletableFuture<Void> deleteTopic(TopicRecord topic) {
        String prefix = RemoteLayout.topicPrefix(topic.name(), topic.topicId());
        CompletableFuture<Void> deletion = detachTopic(topic)
                .thenCompose(v -> {
                    manifests.forget(prefix);
                    return deleter.delete(topic);
                })
                .thenApply(count -> null);
        topicDeletions.add(deletion);
        deletion.whenComplete((v, e) -> topicDeletions.remove(deletion));
        return deletion;
    }

    /**
     * Stops the periodic passes from starting work on the topic's partitions; completes once none is in flight.
     */
    private CompletableFuture<Void> detachTopic(TopicRecord topic) {
        topicManifestsWritten.remove(topic.topicId());
        topicManifestRetries.remove(topic.topicId());
        List<Backoff> inFlight = new java.util.ArrayList<>();
        partitions.entrySet().removeIf(entry -> {
            if (entry.getKey().key().topicId().equals(topic.topicId())) {
                inFlight.add(entry.getValue());
                return true;
            }
            return false;
        });
        return whenIdle(inFlight);
    }

    /**
     * Forgets a topic that is dropped locally only ({@code LogManager.forgetTopic}): no more passes over its
     * partitions, nothing deleted from the bucket. Completes once no copy of its partitions is in flight.
     */
    public CompletableFuture<Void> forgetTopic(TopicRecord topic) {
        return detachTopic(topic).thenRun(() -> manifests.forget(RemoteLayout.topicPrefix(topic.name(),
                topic.topicId())));
    }

    /** Completes once none of {@code partitions} is being worked on, checking every 50 ms. */
    private CompletableFuture<Void> whenIdle(List<Backoff> partitions) {
        CompletableFuture<Void> idle = new CompletableFuture<>();
        Runnable check = new Runnable() {
            @Override
            public void run() {
                boolean busy = false;
                for (Backoff backoff : partitions) {
                    synchronized (backoff) {
                        busy |= backoff.busy;
                    }
                }
                if (!busy) {
                    idle.complete(null);
                } else if (!scheduler.isShutdown()) {
                    scheduler.schedule(this, 50, TimeUnit.MILLISECONDS);
                } else {
                    idle.completeExceptionally(new IllegalStateException("the remote tier is closing"));
                }
            }
        };
        check.run();
        return idle;
    }

    /**
     * Takes {@code log} away from the periodic passes: waits until no pass works on it (checking every 10 ms),
     * then keeps them off it until {@link #release}. For a hand-over and a reopen.
     *
     * @throws TimeoutException when a pass still works on it at {@code deadlineNanos} ({@link System#nanoTime})
     */
    public void claim(PartitionLog log, long deadlineNanos) throws InterruptedException, TimeoutException {
        Backoff backoff = partitions.computeIfAbsent(log, l -> new Backoff());
        while (true) {
            synchronized (backoff) {
                if (!backoff.busy) {
                    backoff.busy = true;
                    return;
                }
            }
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new TimeoutException("the remote tier's work on " + log.topicPartition() + " did not finish");
            }
            Thread.sleep(10);
        }
    }

    /**
     * Gives {@code log} back to the periodic passes after {@link #claim}, with no backoff; with {@code forget}
     * (the log was replaced by a reopen), forgets it instead.
     */
    public void release(PartitionLog log, boolean forget) {
        if (forget) {
            partitions.remove(log);
            return;
        }
        Backoff backoff = partitions.get(log);
        if (backoff != null) {
            synchronized (backoff) {
                backoff.busy = false;
                backoff.delayMs = 0;
                backoff.nextAttemptMs = 0;
            }
        }
    }

    /**
     * Uploads every segment of {@code log} that is not in the bucket yet (its appends have stopped and its
     * active segment is sealed), writes its manifest and its producer state at {@code end}
     * ({@link HandOffUpload}), retrying failures until {@code deadlineNanos}. The caller holds the partition
     * ({@link #claim}).
     *
     * @throws UploadFencedException when the fence refused, now or in an earlier pass (this broker lost the partition)
     * @throws TimeoutException      when the deadline passed first; the message names the last failure
     */
    public void handOff(TopicLogs topic, PartitionLog log, long end, long deadlineNanos)
            throws InterruptedException, TimeoutException {
        Backoff backoff = partitions.computeIfAbsent(log, l -> new Backoff());
        synchronized (backoff) {
            if (backoff.fenced) {
                throw new UploadFencedException(log.topicPartition(), "uploads of " + log.topicPartition()
                        + " stopped when the upload fence refused one; reopen the partition first");
            }
        }
        try {
            handOffs.upload(topic, log, end, deadlineNanos);
        } catch (UploadFencedException e) {
            synchronized (backoff) {
                backoff.fenced = true;
            }
            throw e;
        }
    }

    /**
     * Writes the topic's manifest unless the one last written is current; throws when that fails. Blocking. A
     * write-ahead log that is its own commit record (single-broker mode) calls it before it commits a topic's first
     * records: a broker restoring from the bucket finds a topic by its manifest.
     */
    public void ensureTopicManifest(TopicRecord topic) {
        UUID topicId = topic.topicId();
        if (!topic.equals(topicManifestsWritten.get(topicId))) {
            writeTopicManifest(topic, topicManifestRetries.computeIfAbsent(topicId, id -> new Backoff())).join();
            if (!topicManifestsWritten.containsKey(topicId)) {
                throw new IllegalStateException("the manifest of topic " + topic.name() + " could not be written");
            }
        }
    }

    /**
     * Rebuilds the catalog of one partition from the bucket ({@link BucketRestore#restorePartition}), forgetting
     * first what this broker knew of its manifest (another broker may have written it since). Blocking.
     */
    public BucketRestore.RestoredPartition restorePartition(TopicRecord topic, int partition) {
        manifests.forget(RemoteLayout.partitionManifest(new TopicPartition(topic.name(), partition), topic.topicId()));
        return new BucketRestore(store, index).restorePartition(topic, partition);
    }

    /**
     * The idempotent-producer state of a restored partition as of {@code end}, the end of its segments in the
     * bucket ({@link ProducerStateRestore}); {@code scratch} is a directory for segments it may download. Blocking.
     */
    public List<ProducerStateEntry> restoreProducerState(TopicPartition tp, PartitionKey key, long end,
                                                         java.nio.file.Path scratch) {
        return new ProducerStateRestore(store, index, producerStates, clock).restore(tp, key, end, scratch);
    }

    /** Where changes of committed group offsets are reported, so that they reach the bucket. */
    public GroupOffsetUploader groupOffsets() {
        return groupOffsets;
    }

    public RemoteMetrics metrics() {
        return metrics;
    }

    public ChunkCache cache() {
        return cache;
    }

    /**
     * Sizes of one partition in both tiers, and its copy lag.
     *
     * @param localBytes        bytes of local segment files (the active one included)
     * @param remoteBytes       bytes of the partition's segments in the bucket
     * @param copyLagBytes      bytes of sealed local segments not yet in the bucket
     * @param copyLagSegments   how many sealed local segments are not yet in the bucket
     */
    public record PartitionSizes(long localBytes, long remoteBytes, long copyLagBytes, int copyLagSegments) {
    }

    public PartitionSizes sizes(PartitionLog log) {
        long lagBytes = 0;
        int lagSegments = 0;
        for (var segment : log.sealedSegments()) {
            if (segment.nextOffset() > log.remoteEndOffset()) {
                lagBytes += segment.sizeBytes();
                lagSegments++;
            }
        }
        long remoteBytes = index.remoteSegments().list(log.key()).stream()
                .filter(s -> s.state() == RemoteSegmentState.COPY_FINISHED)
                .mapToLong(RemoteSegment::sizeBytes).sum();
        return new PartitionSizes(log.sizeInBytes(), remoteBytes, lagBytes, lagSegments);
    }

    @Override
    public void close() {
        awaitTopicDeletions();
        if (lease.writable()) {
            groupOffsets.flush(SHUTDOWN_FLUSH_MS);
        }
        scheduler.shutdownNow();
        logActivity();
        workers.shutdownNow();
        try {
            // Both read RocksDB, which closes after this returns
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Lets the deletions of topics deleted just before a clean shutdown finish, at most
     * {@value #SHUTDOWN_DELETIONS_MS} ms: they need the scheduler and the S3 client, which close next;
     * a deletion cut short resumes at the next start (its intent is durable).
     */
    private void awaitTopicDeletions() {
        List<CompletableFuture<Void>> pending = List.copyOf(topicDeletions);
        if (pending.isEmpty()) {
            return;
        }
        LOGGER.info("Waiting for the deletion of {} topic(s) from the bucket before shutting down", pending.size());
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .get(SHUTDOWN_DELETIONS_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOGGER.warn("Shutting down with {} topic deletion(s) unfinished; they resume at the next start: {}",
                    topicDeletions.size(), rootMessage(e));
        }
    }

    static String rootMessage(Throwable e) {
        return rootCause(e).toString();
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
