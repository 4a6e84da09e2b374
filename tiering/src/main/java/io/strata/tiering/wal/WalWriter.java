package io.strata.tiering.wal;

import io.strata.metadata.MetadataException;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalBatch;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PreconditionFailedException;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.remote.RemoteLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log of one broker incarnation (CLUSTER.md invariant 2): gathers the batches appended to the
 * partitions this broker leads into objects of many partitions ({@link WalObject}), writes each once with
 * If-None-Match under {@code wal/{nodeId}/{incarnation}/{sequence}.wal}, then records it in the metadata database
 * ({@link Committer}, fenced there by each partition's leader epoch), and only then tells each partition's
 * {@link Listener} that its offsets are committed.
 *
 * <ul>
 *   <li>An object goes out when {@link WalSettings#linger()} has passed since its first append or it holds
 *       {@link WalSettings#batchBytes()}; up to {@link WalSettings#maxInFlight()} objects are PUT at once.</li>
 *   <li>Commits run one at a time in sequence order on the {@code wal-commit} thread, so the ranges of one partition
 *       commit in offset order, each starting where the previous one ended (rule 7).</li>
 *   <li>Only an epoch mismatch fences: a failed PUT is retried with the same bytes and key (a 412 on a retry is
 *       our own earlier attempt, checked by reading the object back, and tried again if that read fails); a failed
 *       commit is retried with the same commit, which the store answers idempotently. A fenced or out-of-order range
 *       fails its partition's waiting appends ({@link Listener#failed}), and so does {@link #close}.</li>
 *   <li>Appends are refused ({@link #checkAdmits}) while more than {@link WalSettings#maxBufferedBytes()} wait.</li>
 * </ul>
 * Thread-safe: {@link #add} is called under each partition's append lock, so one partition's ranges arrive in
 * offset order.
 */
public final class WalWriter implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(WalWriter.class);
    private static final long MAX_BACKOFF_MS = 2_000;

    /** Told what became of one partition's appends. Called on the {@code wal-commit} thread. */
    public interface Listener {
        /** Every offset below {@code endOffset} is committed. */
        void committed(long endOffset);

        /** Offsets from {@code fromOffset} on, appended at {@code leaderEpoch}, will never be committed. */
        void failed(long fromOffset, int leaderEpoch, RuntimeException cause);
    }

    /** Records an object in the metadata database ({@code MetadataStore.commitWal}); blocking. */
    @FunctionalInterface
    public interface Committer {
        Map<TopicPartitionId, WalCommitOutcome> commit(WalObjectCommit commit);
    }

    /** One partition's appends gathered for the next object. */
    private static final class Part {
        final TopicPartitionId partition;
        final int leaderEpoch;
        final long baseOffset;
        long endOffset;
        final List<ByteBuffer> batches = new ArrayList<>();
        final List<WalBatch> meta = new ArrayList<>();
        final Listener listener;

        Part(TopicPartitionId partition, int leaderEpoch, long baseOffset, Listener listener) {
            this.partition = partition;
            this.leaderEpoch = leaderEpoch;
            this.baseOffset = baseOffset;
            this.endOffset = baseOffset;
            this.listener = listener;
        }
    }

    /** An object from its flush to its outcome: its listeners are told exactly once, by the commit or by close. */
    private static final class Flight {
        final List<Part> parts;
        private final AtomicBoolean decided = new AtomicBoolean();

        Flight(List<Part> parts) {
            this.parts = parts;
        }

        /** Whether the caller is the one to tell the listeners. */
        boolean decide() {
            return decided.compareAndSet(false, true);
        }

        void fail(RuntimeException cause) {
            if (decide()) {
                parts.forEach(p -> p.listener.failed(p.baseOffset, p.leaderEpoch, cause));
            }
        }
    }

    private final ObjectStore store;
    private final Committer committer;
    private final int nodeId;
    private final UUID incarnation;
    private final WalSettings settings;
    private final WalMetrics metrics;
    private final ScheduledExecutorService timer;
    private final ExecutorService commitThread;

    private final Object lock = new Object();
    private Map<TopicPartitionId, Part> open = new TreeMap<>();
    private long openBytes;
    private long openedNanos;
    private ScheduledFuture<?> lingerTimer;
    private long nextSequence;
    private int inFlight;
    private boolean flushWanted;
    private long bufferedBytes;
    private CompletableFuture<Void> commitChain = CompletableFuture.completedFuture(null);
    private final Set<Flight> flights = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public WalWriter(ObjectStore store, Committer committer, int nodeId, UUID incarnation, WalSettings settings,
                     WalMetrics metrics) {
        this(store, committer, nodeId, incarnation, settings, metrics, 0);
    }

    /**
     * A writer whose first object gets sequence {@code firstSequence}: single-broker mode continues its node's
     * sequence across incarnations ({@link WalChain}).
     */
    public WalWriter(ObjectStore store, Committer committer, int nodeId, UUID incarnation, WalSettings settings,
                     WalMetrics metrics, long firstSequence) {
        this.nextSequence = firstSequence;
        this.store = store;
        this.committer = committer;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.settings = settings;
        this.metrics = metrics;
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("wal-linger"));
        this.commitThread = Executors.newSingleThreadExecutor(daemon("wal-commit"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Refuses an append (before it is written locally) while the log is too far behind.
     *
     * @throws NotEnoughReplicasException (retriable) when more than the buffer limit waits to be committed
     */
    public void checkAdmits(Object partition) {
        if (closed) {
            throw new NotLeaderOrFollowerException("the write-ahead log of this broker is closed");
        }
        synchronized (lock) {
            if (bufferedBytes > settings.maxBufferedBytes()) {
                throw new NotEnoughReplicasException("the write-ahead log of this broker has " + bufferedBytes
                        + " bytes waiting for the bucket or the metadata database; not appending to " + partition
                        + " until they are committed");
            }
        }
    }

    /**
     * Queues batches just appended to {@code partition} at offsets {@code baseOffset} to {@code endOffset}
     * (exclusive), which must start where the partition's previous append ended. {@code bytes} is copied.
     */
    public void add(TopicPartitionId partition, int leaderEpoch, long baseOffset, long endOffset, ByteBuffer bytes,
                    List<WalBatch> batches, Listener listener) {
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes.duplicate()).flip();
        synchronized (lock) {
            if (closed) {
                listener.failed(baseOffset, leaderEpoch, new NotLeaderOrFollowerException("the write-ahead log is closed"));
                return;
            }
            Part part = open.get(partition);
            if (part != null && part.leaderEpoch != leaderEpoch) {
                flushLocked(true); // one epoch per part: the older epoch's part goes first
                part = null;
            }
            if (part == null) {
                part = new Part(partition, leaderEpoch, baseOffset, listener);
                open.put(partition, part);
            } else if (part.endOffset != baseOffset) {
                throw new IllegalStateException("append to " + partition + " at " + baseOffset
                        + " does not follow the previous one, which ended at " + part.endOffset);
            }
            part.endOffset = endOffset;
            part.batches.add(copy);
            part.meta.addAll(batches);
            if (openBytes == 0) {
                openedNanos = System.nanoTime();
            }
            openBytes += copy.remaining();
            bufferedBytes += copy.remaining();
            if (openBytes >= settings.batchBytes()) {
                flushLocked(false);
            } else if (lingerTimer == null) {
                lingerTimer = timer.schedule(this::lingerExpired, settings.linger().toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Sends what is gathered now, without waiting for the linger; the returned future completes after its commit. */
    public CompletableFuture<Void> flush() {
        synchronized (lock) {
            flushLocked(true);
            return commitChain;
        }
    }

    private void lingerExpired() {
        synchronized (lock) {
            lingerTimer = null;
            flushLocked(false);
        }
    }

    /** Under the lock. {@code force}: send even when the in-flight limit is reached. */
    private void flushLocked(boolean force) {
        if (open.isEmpty()) {
            return;
        }
        if (!force && inFlight >= settings.maxInFlight()) {
            flushWanted = true; // sent when an object in flight finishes
            return;
        }
        if (lingerTimer != null) {
            lingerTimer.cancel(false);
            lingerTimer = null;
        }
        List<Part> parts = new ArrayList<>(open.values());
        long bytes = openBytes;
        long firstAppend = openedNanos;
        open = new TreeMap<>();
        openBytes = 0;
        flushWanted = false;
        long sequence = nextSequence++;
        inFlight++;
        metrics.inFlight.incrementAndGet();
        String key = RemoteLayout.walObject(nodeId, incarnation, sequence);
        WalObject.Encoded encoded = WalObject.encode(nodeId, incarnation, sequence, System.currentTimeMillis(),
                parts.stream().map(p -> new WalObject.Part(p.partition, p.leaderEpoch, p.baseOffset, p.endOffset,
                        p.batches)).toList());
        metrics.fillPermille.add(Math.min(1000, bytes * 1000 / settings.batchBytes()));
        Flight flight = new Flight(parts);
        flights.add(flight);
        CompletableFuture<Void> put = putUntilDone(key, encoded.bytes(), 0);
        CompletableFuture<Void> previous = commitChain;
        commitChain = put.thenCombine(previous, (a, b) -> (Void) null)
                .thenRunAsync(() -> commitUntilDecided(key, encoded, flight, firstAppend), commitThread)
                .handle((ignored, error) -> {
                    flights.remove(flight);
                    if (error != null) { // closed meanwhile, or a bug: nothing of it is acknowledged
                        flight.fail(new NotLeaderOrFollowerException("the write-ahead log object " + key
                                + " was not committed: " + error));
                    }
                    finished(bytes);
                    return null;
                });
    }

    private void finished(long bytes) {
        metrics.inFlight.decrementAndGet();
        synchronized (lock) {
            inFlight--;
            bufferedBytes -= bytes;
            if (flushWanted) {
                flushLocked(false);
            }
        }
    }

    /** PUTs the object, retrying with the same bytes until it is in the bucket or the writer closes. */
    private CompletableFuture<Void> putUntilDone(String key, byte[] bytes, int attempt) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        if (attempt == 0) {
            metrics.puts.increment();
            metrics.putBytes.add(bytes.length);
        }
        return store.put(key, bytes, PutCondition.IF_ABSENT).thenApply(info -> (Void) null)
                .exceptionallyCompose(error -> {
                    Throwable cause = unwrap(error);
                    if (!(cause instanceof PreconditionFailedException)) {
                        return putAgain(key, bytes, attempt, cause);
                    }
                    // our own earlier attempt, whose reply was lost? Only if the object holds these bytes; a read
                    // that fails proves nothing either way, so it means one more attempt
                    return store.get(key).handle((existing, readError) -> readError == null
                                    ? Arrays.equals(existing, bytes) ? CompletableFuture.<Void>completedFuture(null)
                                    : CompletableFuture.<Void>failedFuture(new IllegalStateException("the bucket holds"
                                    + " a different object under " + key + ": another writer uses this incarnation"))
                                    : putAgain(key, bytes, attempt, unwrap(readError)))
                            .thenCompose(next -> next);
                });
    }

    /** After a failed attempt: the same PUT again after a backoff. */
    private CompletableFuture<Void> putAgain(String key, byte[] bytes, int attempt, Throwable cause) {
        metrics.putErrors.increment();
        long delay = backoff(attempt);
        if (attempt % 10 == 0) {
            LOGGER.warn("Writing WAL object {} failed ({}); retrying in {} ms with the same bytes", key,
                    cause.toString(), delay);
        }
        return CompletableFuture.supplyAsync(() -> null,
                        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> putUntilDone(key, bytes, attempt + 1));
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Records the object in the database, retrying the same commit until it is decided; tells the listeners. */
    private void commitUntilDecided(String key, WalObject.Encoded encoded, Flight flight, long firstAppend) {
        List<Part> parts = flight.parts;
        List<WalRange> ranges = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            WalObject.Entry entry = encoded.header().entries().get(i);
            ranges.add(new WalRange(part.partition, part.leaderEpoch, part.baseOffset, part.endOffset, key,
                    entry.position(), entry.length(), part.meta));
        }
        WalObjectCommit commit = new WalObjectCommit(key, nodeId, incarnation, encoded.bytes().length, ranges);
        Map<TopicPartitionId, WalCommitOutcome> outcomes = null;
        for (int attempt = 0; outcomes == null; attempt++) {
            if (closed) {
                throw new IllegalStateException("closed before " + key + " was committed");
            }
            try {
                outcomes = committer.commit(commit);
            } catch (MetadataException | IllegalStateException e) {
                metrics.commitErrors.increment();
                long delay = backoff(attempt);
                if (attempt % 10 == 0) {
                    LOGGER.warn("Committing WAL object {} failed ({}); retrying the same commit in {} ms", key,
                            e.getMessage(), delay);
                }
                sleep(delay);
            }
        }
        metrics.commits.increment();
        metrics.commitLatency(System.nanoTime() - firstAppend);
        if (!flight.decide()) {
            return; // closed meanwhile: its appends were already failed
        }
        for (Part part : parts) {
            WalCommitOutcome outcome = outcomes.getOrDefault(part.partition, WalCommitOutcome.FENCED);
            if (outcome == WalCommitOutcome.COMMITTED) {
                part.listener.committed(part.endOffset);
            } else {
                metrics.fencedRanges.increment();
                LOGGER.warn("WAL range of {} (offsets {} to {}, leader epoch {}) in {} not committed: {}",
                        part.partition, part.baseOffset, part.endOffset - 1, part.leaderEpoch, key, outcome);
                part.listener.failed(part.baseOffset, part.leaderEpoch, new NotLeaderOrFollowerException("the append to "
                        + part.partition + " at offset " + part.baseOffset + " was not committed (" + outcome
                        + "): this broker no longer leads the partition at epoch " + part.leaderEpoch));
            }
        }
    }

    private static long backoff(int attempt) {
        return Math.min(MAX_BACKOFF_MS, 50L << Math.min(attempt, 6));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Commits what waits, for up to {@code timeout}, then {@link #close}s: the stop of a broker, which acknowledges
     * with acks=all what commits meanwhile. Blocking.
     */
    public void flushAndClose(java.time.Duration timeout) {
        try {
            flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOGGER.warn("The write-ahead log did not commit everything before stopping ({}); appends not committed"
                    + " were not acknowledged with acks=all", e.toString());
        }
        close();
    }

    /**
     * Stops: what is not committed now never will be by this writer (its appends fail), whether gathered or in
     * flight (a PUT that has not answered, a commit being retried).
     */
    @Override
    public void close() {
        List<Part> dropped;
        synchronized (lock) {
            closed = true;
            dropped = new ArrayList<>(open.values());
            open = new TreeMap<>();
            if (lingerTimer != null) {
                lingerTimer.cancel(false);
            }
        }
        RuntimeException cause = new NotLeaderOrFollowerException("the write-ahead log is closed");
        dropped.forEach(p -> p.listener.failed(p.baseOffset, p.leaderEpoch, cause));
        for (Flight flight : List.copyOf(flights)) {
            flight.fail(cause);
        }
        timer.shutdownNow();
        commitThread.shutdownNow();
    }
}
