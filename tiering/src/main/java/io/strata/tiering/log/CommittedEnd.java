package io.strata.tiering.log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;

/**
 * The high watermark of a partition log: the end of what is committed (CLUSTER.md invariant 3). Without a
 * write-ahead log every append is committed once written locally, so it follows the log end. With one
 * ({@link #track}), appends wait here, each with the {@link LogEnd} it left behind, until the WAL reports their
 * commit ({@link #committed}); reads stop at the committed end, and produce requests with acks=all wait for it
 * ({@link #await}). A failed commit ({@link #failed}) fails every waiting request and refuses further appends
 * ({@link #checkAppendable}) until the log is reopened: its local tail will never be committed.
 * Thread-safe.
 */
final class CommittedEnd {

    private final TopicPartition topicPartition;
    private volatile LogEnd visible;
    private boolean tracking;
    private final ArrayDeque<LogEnd> pending = new ArrayDeque<>();
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    private RuntimeException failure;
    private int epoch = -1;

    CommittedEnd(TopicPartition topicPartition, LogEnd end) {
        this.topicPartition = topicPartition;
        this.visible = end;
    }

    /** Where readers stop. */
    LogEnd visible() {
        return visible;
    }

    /**
     * From now on appends (at {@code leaderEpoch}) wait for their commit; everything up to {@code end} counts as
     * committed.
     */
    synchronized void track(LogEnd end, int leaderEpoch) {
        tracking = true;
        epoch = leaderEpoch;
        pending.clear();
        failure = null;
        visible = end;
    }

    synchronized boolean tracking() {
        return tracking;
    }

    /** An append ended at {@code end}: committed at once without a WAL, otherwise when the WAL says so. */
    synchronized void appended(LogEnd end) {
        if (tracking) {
            pending.addLast(end);
        } else {
            visible = end;
        }
    }

    /** Every offset below {@code offset} is committed. */
    void committed(long offset) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (this) {
            LogEnd reached = null;
            while (!pending.isEmpty() && pending.peekFirst().offset() <= offset) {
                reached = pending.pollFirst();
            }
            if (reached != null && reached.offset() > visible.offset()) {
                visible = reached;
            }
            Map<Long, List<CompletableFuture<Void>>> ready = waiters.headMap(visible.offset(), true);
            ready.values().forEach(done::addAll);
            ready.clear();
        }
        done.forEach(future -> future.complete(null));
    }

    /**
     * Offsets from {@code fromOffset} on, appended at {@code leaderEpoch}, will not be committed: waiting requests
     * fail, appends are refused. A late report about an epoch older than the tracked one changes nothing.
     */
    void failed(long fromOffset, int leaderEpoch, RuntimeException cause) {
        List<CompletableFuture<Void>> doomed = new ArrayList<>();
        synchronized (this) {
            if (leaderEpoch < epoch) {
                return;
            }
            if (failure == null) {
                failure = cause;
            }
            waiters.values().forEach(doomed::addAll);
            waiters.clear();
        }
        doomed.forEach(future -> future.completeExceptionally(cause));
    }

    /** Completes once every offset below {@code offset} is committed; fails if they never will be. */
    synchronized CompletableFuture<Void> await(long offset) {
        if (visible.offset() >= offset) {
            return CompletableFuture.completedFuture(null);
        }
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        waiters.computeIfAbsent(offset, o -> new ArrayList<>()).add(future);
        return future;
    }

    /** Throws the failure that ended commits for this log, if one did. */
    synchronized void checkAppendable() {
        if (failure != null) {
            throw new NotLeaderOrFollowerException("appends to " + topicPartition + " are refused until it is"
                    + " reopened: " + failure.getMessage());
        }
    }
}
