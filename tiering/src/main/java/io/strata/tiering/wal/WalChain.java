package io.strata.tiering.wal;

import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PutCondition;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.remote.RemoteLayout.WalKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-broker mode's record of what its write-ahead log committed: the bucket itself (CLUSTER.md rule 5). The
 * embedded metadata store lives on the very disk that may be lost, so there an object is committed once it and
 * every object of lower sequence of this node are in the bucket. Sequences continue without gaps across the node's
 * incarnations ({@code wal/{nodeId}/{incarnation}/{sequence:020d}.wal}), so a broker starting on any disk, an empty
 * one too, learns from the bucket alone what was committed.
 *
 * <ul>
 *   <li>{@link #load}: lists the node's objects and reads their headers. Sorted by sequence, the chain is the run
 *       from the collection floor (the lowest sequence when none was written) up to the first gap. An object above
 *       a gap was PUT while a lower one was not, by an incarnation that then died: nothing in it was acknowledged
 *       with acks=all, and it is deleted before this incarnation writes its first object, at
 *       {@link #nextSequence()}. An object below the floor was collected (or is a paused broker's PUT that landed
 *       late) and is deleted too. Two objects at one sequence (a paused broker's PUT that landed after another
 *       incarnation wrote there, which the prefix claim makes unlikely) stop the load: an operator decides, as no
 *       clock can be trusted to say which came last.</li>
 *   <li>{@link #commit}, the {@link WalWriter.Committer} of single-broker mode: the writer has PUT the object and
 *       commits in sequence order, so the object joins the chain.</li>
 *   <li>{@link #walRanges}: a partition's committed ranges, for {@link WalReader}.</li>
 *   <li>{@link #release} (a partition's uploaded segments reach an offset) and {@link #forgetTopic}: ranges no longer
 *       needed. {@link #collect} deletes objects from the low end of the chain only, in order, while the lowest holds
 *       no needed range, once it recorded the new floor, so the chain never gets a gap and always starts at its
 *       floor.</li>
 * </ul>
 * Thread-safe.
 */
public final class WalChain {

    private static final Logger LOGGER = LoggerFactory.getLogger(WalChain.class);

    /** One object of the chain and the partitions whose ranges in it are still needed. */
    private static final class Link {
        final String key;
        final Set<TopicPartitionId> holding = new HashSet<>();

        Link(String key) {
            this.key = key;
        }
    }

    private final ObjectStore store;
    private final Object lock = new Object();
    private final TreeMap<Long, Link> links = new TreeMap<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private final Map<TopicPartitionId, TreeMap<Long, WalRange>> needed = new HashMap<>();
    private final Map<TopicPartitionId, Long> committedEnds = new HashMap<>();
    private final int nodeId;
    private final WalGcMetrics metrics;
    private long nextSequence;
    /** The highest collection floor written (-1: none). */
    private long floor;
    private boolean collecting;

    private WalChain(ObjectStore store, int nodeId, WalGcMetrics metrics) {
        this.store = store;
        this.nodeId = nodeId;
        this.metrics = metrics;
    }

    /**
     * The chain of node {@code nodeId} as the bucket holds it, with what lies outside it deleted: objects below the
     * collection floor and objects above the first gap. Blocking.
     *
     * @throws IllegalStateException when an object of the chain cannot be read, two objects claim one sequence, or
     *                               the floor's object is missing while objects above it exist (the message names
     *                               them): replaying past it could lose or reorder records
     */
    public static WalChain load(ObjectStore store, int nodeId) {
        return load(store, nodeId, new WalGcMetrics());
    }

    /** As {@link #load(ObjectStore, int)}, counting what it and {@link #collect} delete in {@code metrics}. */
    public static WalChain load(ObjectStore store, int nodeId, WalGcMetrics metrics) {
        long floor = store.listAll(RemoteLayout.walFloorPrefix(nodeId)).join().stream()
                .map(info -> RemoteLayout.walFloorOf(nodeId, info.key())).filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong).max().orElse(-1);
        List<WalInspector.Listed> present = new ArrayList<>();
        List<String> discarded = new ArrayList<>();
        for (WalInspector.Listed listed : new WalInspector(store).list(RemoteLayout.walNodePrefix(nodeId))) {
            if (listed.key().isEmpty() || listed.key().get().nodeId() != nodeId) {
                LOGGER.warn("Ignoring {} in the write-ahead log of broker {}: not one of its WAL objects",
                        listed.object().key(), nodeId);
            } else if (listed.key().get().sequence() < floor) {
                discarded.add(listed.object().key()); // collected, or a paused writer's PUT that landed late
            } else {
                present.add(listed);
            }
        }
        TreeMap<Long, List<WalInspector.Listed>> bySequence = new TreeMap<>();
        for (WalInspector.Listed listed : present) {
            bySequence.computeIfAbsent(listed.key().get().sequence(), s -> new ArrayList<>()).add(listed);
        }
        WalChain chain = new WalChain(store, nodeId, metrics);
        long first = floor >= 0 ? floor : bySequence.isEmpty() ? 0 : bySequence.firstKey();
        if (!bySequence.isEmpty() && !bySequence.containsKey(first) && floor >= 0) {
            throw new IllegalStateException("the write-ahead log of broker " + nodeId + " was collected up to sequence "
                    + floor + " (" + RemoteLayout.walFloor(nodeId, floor) + "), but that object is missing while "
                    + bySequence.size() + " above it exist, from " + bySequence.firstKey());
        }
        long expected = first;
        while (bySequence.containsKey(expected)) {
            List<WalInspector.Listed> atSequence = bySequence.remove(expected);
            if (atSequence.size() > 1) {
                throw new IllegalStateException("the write-ahead log of broker " + nodeId + " has " + atSequence.size()
                        + " objects with sequence " + expected + ": " + atSequence.stream()
                        .map(l -> l.object().key()).toList());
            }
            WalInspector.Listed listed = atSequence.get(0);
            if (listed.header().isEmpty() || listed.damage().isPresent()) {
                throw new IllegalStateException("write-ahead-log object " + listed.object().key() + " cannot be"
                        + " replayed: " + listed.damage().orElse("no header"));
            }
            chain.add(expected, listed.object().key(), ranges(listed.object().key(), listed.header().get()));
            expected++;
        }
        chain.nextSequence = expected;
        chain.floor = floor;
        bySequence.values().forEach(above -> above.forEach(l -> discarded.add(l.object().key())));
        if (!discarded.isEmpty()) {
            LOGGER.warn("Deleting {} write-ahead-log object(s) of broker {} outside its committed chain (sequences {}"
                    + " to {}): above a gap, or below the collection floor; none is needed", discarded.size(), nodeId,
                    first, expected - 1);
            store.deleteAll(discarded).join();
            metrics.orphansCollected.add(discarded.size());
        }
        LOGGER.info("The write-ahead log of broker {} holds {} committed object(s) ({} partition(s) with ranges);"
                + " this incarnation goes on at sequence {}", nodeId, chain.links.size(), chain.needed.size(), expected);
        return chain;
    }

    private static List<WalRange> ranges(String key, WalObject.Header header) {
        return header.entries().stream().map(e -> new WalRange(e.partition(), e.leaderEpoch(), e.baseOffset(),
                e.endOffset(), key, e.position(), e.length(), List.of())).toList();
    }

    /** The sequence of the next object this node writes. */
    public long nextSequence() {
        synchronized (lock) {
            return nextSequence;
        }
    }

    /**
     * Adds an object the writer PUT to the chain: every range is committed. Idempotent (a retried commit of the
     * last object is answered the same).
     *
     * @throws IllegalStateException when the object is not the next of the chain (a writer that did not start at
     *                               {@link #nextSequence()}, or committed out of order)
     */
    public Map<TopicPartitionId, WalCommitOutcome> commit(WalObjectCommit commit) {
        long sequence = RemoteLayout.walKeyOf(commit.objectKey()).map(WalKey::sequence).orElseThrow(
                () -> new IllegalArgumentException(commit.objectKey() + " is not a write-ahead-log key"));
        Map<TopicPartitionId, WalCommitOutcome> outcomes = new LinkedHashMap<>();
        commit.ranges().forEach(range -> outcomes.put(range.partition(), WalCommitOutcome.COMMITTED));
        synchronized (lock) {
            if (commit.objectKey().equals(keyOf(sequence))) {
                return outcomes; // committed by an earlier attempt
            }
            if (sequence != nextSequence) {
                throw new IllegalStateException("write-ahead-log object " + commit.objectKey() + " is not the next"
                        + " of the chain, which goes on at sequence " + nextSequence);
            }
            add(sequence, commit.objectKey(), commit.ranges());
            nextSequence = sequence + 1;
        }
        return outcomes;
    }

    private String keyOf(long sequence) {
        Link link = links.get(sequence);
        return link == null ? null : link.key;
    }

    private void add(long sequence, String key, List<WalRange> ranges) {
        Link link = new Link(key);
        links.put(sequence, link);
        sequences.put(key, sequence);
        for (WalRange range : ranges) {
            WalRange replaced = needed.computeIfAbsent(range.partition(), p -> new TreeMap<>())
                    .put(range.baseOffset(), range);
            if (replaced != null) { // the same offsets again (a later object wins): the earlier one no longer holds them
                unhold(replaced);
            }
            committedEnds.merge(range.partition(), range.endOffset(), Math::max);
            link.holding.add(range.partition());
        }
    }

    /** The end of {@code partition}'s last committed range, if it has any in the chain now. */
    public OptionalLong committedEnd(TopicPartitionId partition) {
        synchronized (lock) {
            Long end = needed.containsKey(partition) ? committedEnds.get(partition) : null;
            return end == null ? OptionalLong.empty() : OptionalLong.of(end);
        }
    }

    /** The committed ranges of {@code partition} still needed that end above {@code fromOffset}, in offset order. */
    public List<WalRange> walRanges(TopicPartitionId partition, long fromOffset) {
        synchronized (lock) {
            TreeMap<Long, WalRange> ranges = needed.get(partition);
            return ranges == null ? List.of()
                    : ranges.values().stream().filter(r -> r.endOffset() > fromOffset).toList();
        }
    }

    /** {@code partition}'s ranges below {@code end} are in uploaded segments: they are no longer needed. */
    public void release(TopicPartitionId partition, long end) {
        synchronized (lock) {
            TreeMap<Long, WalRange> ranges = needed.get(partition);
            if (ranges == null) {
                return;
            }
            ranges.values().removeIf(range -> {
                if (range.endOffset() > end) {
                    return false;
                }
                unhold(range);
                return true;
            });
            if (ranges.isEmpty()) {
                needed.remove(partition);
            }
        }
    }

    /** The topics with ranges still needed. */
    public Set<UUID> topics() {
        synchronized (lock) {
            Set<UUID> topics = new HashSet<>();
            needed.keySet().forEach(partition -> topics.add(partition.topicId()));
            return topics;
        }
    }

    /** Every range of topic {@code topicId} is no longer needed (the topic was deleted). */
    public void forgetTopic(UUID topicId) {
        synchronized (lock) {
            needed.entrySet().removeIf(entry -> {
                if (!entry.getKey().topicId().equals(topicId)) {
                    return false;
                }
                entry.getValue().values().forEach(this::unhold);
                committedEnds.remove(entry.getKey());
                return true;
            });
        }
    }

    private void unhold(WalRange range) {
        Long sequence = sequences.get(range.objectKey());
        Link link = sequence == null ? null : links.get(sequence);
        if (link != null) {
            link.holding.remove(range.partition());
        }
    }

    /**
     * Deletes the objects at the low end of the chain that hold no needed range, in sequence order, after recording
     * the new collection floor ({@code wal-floors/{nodeId}/{sequence}}, the sequence of the lowest object that stays):
     * a later start begins the chain there, so a crash meanwhile, or a paused writer's PUT that lands below it later,
     * never makes it start elsewhere. The newest object always stays (it carries the sequence on). Returns how many
     * objects were deleted. Blocking; one collection at a time (a call during another returns 0).
     */
    public int collect() {
        List<Map.Entry<Long, Link>> doomed = new ArrayList<>();
        long newFloor;
        synchronized (lock) {
            if (collecting) {
                return 0;
            }
            for (Map.Entry<Long, Link> entry : links.entrySet()) {
                if (!entry.getValue().holding.isEmpty() || entry.getKey().equals(links.lastKey())) {
                    break;
                }
                doomed.add(entry);
            }
            if (doomed.isEmpty()) {
                return 0;
            }
            collecting = true;
            newFloor = doomed.get(doomed.size() - 1).getKey() + 1;
        }
        try {
            store.put(RemoteLayout.walFloor(nodeId, newFloor), new byte[0], PutCondition.NONE).join();
            long previous;
            synchronized (lock) {
                previous = floor;
                floor = newFloor;
            }
            int deleted = 0;
            for (Map.Entry<Long, Link> entry : doomed) {
                store.deleteAll(List.of(entry.getValue().key)).join();
                metrics.objectsCollected.increment();
                synchronized (lock) {
                    links.remove(entry.getKey());
                    sequences.remove(entry.getValue().key);
                }
                deleted++;
            }
            if (previous >= 0) {
                store.deleteAll(List.of(RemoteLayout.walFloor(nodeId, previous))).join();
            }
            return deleted;
        } finally {
            synchronized (lock) {
                collecting = false;
            }
        }
    }

    /** How many objects the chain holds now. */
    public int objects() {
        synchronized (lock) {
            return links.size();
        }
    }
}
