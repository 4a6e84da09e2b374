package io.strata.tiering.remote;

import io.strata.index.GroupOffset;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PutCondition;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies committed group offsets from RocksDB to the bucket, one {@link GroupManifest} per group, in the background:
 * a commit is acknowledged once it is in RocksDB and never waits for the bucket. Whoever changes a group's offsets in
 * RocksDB (commit, OffsetDelete, DeleteGroups, expiry, topic deletion) calls {@link #markChanged} after the write;
 * every {@code offsets.bucket.sync.interval.ms} a pass reads each marked group's offsets back from RocksDB and PUTs its
 * object, or deletes it when the group has none left. Any number of commits within one interval therefore cost one
 * PUT per group, and a group whose positions (offsets, epochs, metadata) equal what is in the bucket is not rewritten,
 * so a consumer that keeps committing the same offsets costs nothing. A failed PUT or DELETE marks the group again and
 * is retried by the next pass.
 *
 * <p>The first pass after start marks every group in RocksDB and every group object in the bucket, so the bucket
 * catches up with commits that an unclean stop kept from it and loses objects of groups deleted meanwhile. A clean
 * shutdown runs a last pass ({@link #flush}). Passes never overlap. Thread-safe.
 *
 * <p>In cluster mode ({@link PrefixLease#shared}) committed offsets live in the metadata database: the cluster sets
 * it as the source ({@link #useSource}) and marks the groups its coordinators change; nothing is reconciled at start
 * (the database cannot list groups, and RocksDB holds none), so a group object is written, or deleted, only after a
 * change of that group's offsets, by the broker coordinating it. The objects are the bucket's copy from which
 * {@code strata metadata restore} rebuilds the database's committed offsets.
 */
public final class GroupOffsetUploader {

    private static final Logger LOGGER = LoggerFactory.getLogger(GroupOffsetUploader.class);

    private final ObjectStore store;
    private final RocksDbIndexStore index;
    private final Executor executor;
    private final Set<String> changed = ConcurrentHashMap.newKeySet();
    /** The positions of each group as last written to the bucket (see {@link GroupManifest#positions()}). */
    private final Map<String, GroupManifest> uploaded = new ConcurrentHashMap<>();
    /** The last pass started; each pass starts when the one before it is done. */
    private CompletableFuture<Void> passes = CompletableFuture.completedFuture(null);
    private volatile boolean reconciled;
    private volatile GroupOffsetSource source;

    /**
     * @param executor where passes read RocksDB (the remote tier's scheduler thread)
     * @param shared   cluster mode: no reconciliation at start (see the class comment)
     */
    public GroupOffsetUploader(ObjectStore store, RocksDbIndexStore index, Executor executor, boolean shared) {
        this.store = store;
        this.index = index;
        this.executor = executor;
        this.reconciled = shared;
        this.source = new GroupOffsetSource() {
            @Override
            public List<GroupOffset> offsets(String group) {
                return index.groupOffsets().list(group);
            }

            @Override
            public Optional<UUID> topicId(String topic) {
                return index.topics().get(topic).map(TopicRecord::topicId);
            }
        };
    }

    /** Reads committed offsets from {@code source} from now on (cluster mode: the metadata database). */
    public void useSource(GroupOffsetSource source) {
        this.source = source;
    }

    /** Notes that {@code group}'s offsets in RocksDB changed; call after the write. */
    public void markChanged(String group) {
        changed.add(group);
    }

    /** Notes that these groups' offsets in RocksDB changed; call after the write. */
    public void markChanged(Collection<String> groups) {
        changed.addAll(groups);
    }

    /**
     * Runs a pass every {@code intervalMs} on {@code scheduler}, skipping a tick while the previous pass runs or
     * while {@code writable} says the broker may not write to the bucket.
     */
    void start(ScheduledExecutorService scheduler, long intervalMs, BooleanSupplier writable) {
        scheduler.scheduleWithFixedDelay(() -> {
            if (writable.getAsBoolean() && idle()) {
                sync();
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Starts a pass after the running one (if any); completes when it is done. Never completes exceptionally. */
    public synchronized CompletableFuture<Void> sync() {
        passes = passes.thenComposeAsync(ignored -> pass(), executor).exceptionally(failure -> {
            LOGGER.warn("Group offsets pass failed: {}", failure.toString());
            return null;
        });
        return passes;
    }

    private synchronized boolean idle() {
        return passes.isDone();
    }

    /** Runs a last pass and waits for it at most {@code timeoutMs} (a clean shutdown). */
    void flush(long timeoutMs) {
        if (changed.isEmpty() && idle()) {
            return;
        }
        try {
            sync().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOGGER.warn("Committed offsets of {} group(s) did not reach the bucket before shutdown: {}",
                    changed.size(), e.toString());
        }
    }

    private CompletableFuture<Void> pass() {
        CompletableFuture<Void> ready = reconciled ? CompletableFuture.completedFuture(null) : reconcile();
        return ready.thenComposeAsync(ignored -> uploadChanged(), executor);
    }

    /** Marks every group RocksDB or the bucket knows, once; retried by the next pass when the listing fails. */
    private CompletableFuture<Void> reconcile() {
        return store.listAll(RemoteLayout.GROUPS).handleAsync((objects, failure) -> {
            if (failure != null) {
                LOGGER.warn("Could not list the group objects in the bucket (retrying): {}", failure.toString());
                return null;
            }
            objects.stream().map(ObjectInfo::key).map(RemoteLayout::groupIdOf).flatMap(Optional::stream)
                    .forEach(changed::add);
            changed.addAll(index.groupOffsets().groups());
            reconciled = true;
            return null;
        }, executor);
    }

    private CompletableFuture<Void> uploadChanged() {
        if (changed.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<String> groups = new ArrayList<>(changed);
        changed.removeAll(groups);
        Map<String, Optional<UUID>> topicIds = new HashMap<>();
        AtomicInteger written = new AtomicInteger();
        AtomicInteger deleted = new AtomicInteger();
        Map<String, Throwable> failed = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> requests = new ArrayList<>();
        for (String group : groups) {
            GroupOffsetSource from = source;
            List<GroupOffset> offsets;
            try {
                offsets = from.offsets(group);
            } catch (RuntimeException e) { // the metadata database did not answer: next pass
                failed.put(group, e);
                changed.add(group);
                continue;
            }
            GroupManifest manifest = GroupManifest.of(group, offsets, topic -> topicIds.computeIfAbsent(topic,
                    from::topicId));
            String key = RemoteLayout.groupManifest(group);
            CompletableFuture<Void> request;
            if (manifest.offsets().isEmpty()) {
                request = store.deleteAll(List.of(key)).thenRun(() -> {
                    uploaded.remove(group);
                    deleted.incrementAndGet();
                });
            } else if (manifest.positions().equals(uploaded.get(group))) {
                continue;
            } else {
                request = store.put(key, manifest.toJson(), PutCondition.NONE).thenAccept(info -> {
                    uploaded.put(group, manifest.positions());
                    written.incrementAndGet();
                });
            }
            requests.add(request.exceptionally(failure -> {
                failed.put(group, failure);
                changed.add(group);
                return null;
            }));
        }
        return CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).thenRun(() -> {
            LOGGER.debug("Group offsets pass: {} group object(s) written, {} deleted", written.get(), deleted.get());
            if (!failed.isEmpty()) {
                Map.Entry<String, Throwable> first = failed.entrySet().iterator().next();
                LOGGER.warn("Could not write the committed offsets of {} group(s) to the bucket (retrying at the next "
                        + "pass), e.g. group {}: {}", failed.size(), first.getKey(), first.getValue().toString());
            }
        });
    }
}
