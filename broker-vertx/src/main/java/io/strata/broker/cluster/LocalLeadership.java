package io.strata.broker.cluster;

import io.strata.metadata.EpochStart;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import io.strata.tiering.LogManager;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.log.WalSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this broker does with the partitions the database says it leads: the local half of leadership.
 *
 * <p>Each partition led here is in one phase:
 * <ul>
 *   <li>{@code OPENING}: the database made this broker leader at a new epoch; the local log is being made right
 *       for it. When the epoch history shows that another broker led the partition since this broker last did
 *       (or this broker never did and holds data), the local copy is stale: it is discarded and the partition is
 *       reopened from the bucket, where the previous leader's hand-over put everything it had acknowledged.
 *       Otherwise (only this broker, or nobody, led it since) the local log is kept: it may hold acknowledged
 *       records that are nowhere else. Then batches are stamped with the new epoch.</li>
 *   <li>{@code SERVING}: requests are served.</li>
 *   <li>{@code HANDING_OVER}: the controller asked for a move (or the broker is shutting down): requests get
 *       NOT_LEADER_OR_FOLLOWER, the log seals and uploads its tail ({@code LogManager.handOff}), then one fenced
 *       transaction passes leadership to the target at the next epoch with the committed end at the log end.</li>
 * </ul>
 * A partition whose leadership moved elsewhere (or whose epoch moved past this broker's) is dropped at once; its
 * local files stay as a cache until it comes back. A partition whose epoch or committed end goes backwards in the
 * database is halted ({@link RegressionGuard}). Partitions of the coordinator-slot topic have no log: they go
 * straight to {@code SERVING}. Thread-safe: {@link #apply} runs on the sync thread, the rest anywhere.
 */
final class LocalLeadership {
    private static final Logger LOGGER = LoggerFactory.getLogger(LocalLeadership.class);

    enum Phase { OPENING, SERVING, HANDING_OVER }

    record State(int epoch, Phase phase) {
    }

    private final int nodeId;
    private final LogManager logs;
    private final MetadataStore store;
    private final Executor io;
    private final String slotTopic;
    private final Map<TopicPartitionId, State> states = new ConcurrentHashMap<>();
    private final RegressionGuard regressions = new RegressionGuard();
    /** The write-ahead log appends go to, or null when it is off. */
    private volatile WalSink wal;

    LocalLeadership(int nodeId, LogManager logs, MetadataStore store, Executor io, String slotTopic) {
        this.nodeId = nodeId;
        this.logs = logs;
        this.store = store;
        this.io = io;
        this.slotTopic = slotTopic;
    }

    /**
     * Turns the write-ahead log on: a partition opened from now on is made to end exactly at its committed end
     * (reopened from the bucket and the WAL when its local log ends anywhere else) and sends its appends to
     * {@code sink}.
     */
    void useWal(WalSink sink) {
        this.wal = sink;
    }

    /** Whether this broker serves the partition at {@code epoch} now. */
    boolean serving(TopicPartitionId partition, int epoch) {
        State state = states.get(partition);
        return state != null && state.phase() == Phase.SERVING && state.epoch() == epoch;
    }

    /** Whether the periodic tasks may upload, retain and delete for the partition (served or being handed over). */
    boolean writable(TopicPartitionId partition) {
        State state = states.get(partition);
        return state != null && state.phase() != Phase.OPENING;
    }

    /** The epoch this broker leads the partition at, if it does. */
    Optional<Integer> epoch(TopicPartitionId partition) {
        return Optional.ofNullable(states.get(partition)).map(State::epoch);
    }

    /** Acts on a new snapshot: opens what this broker now leads, hands over what is moving, drops what moved. */
    void apply(ClusterSnapshot snapshot) {
        Map<java.util.UUID, String> names = new java.util.HashMap<>();
        snapshot.topics().values().forEach(topic -> names.put(topic.topicId(), topic.name()));
        states.keySet().removeIf(id -> !snapshot.leadership().containsKey(id));
        regressions.observe(snapshot.leadership());
        for (PartitionLeadership leadership : snapshot.leadership().values()) {
            TopicPartitionId id = leadership.partition();
            String name = names.get(id.topicId());
            if (name == null) {
                continue;
            }
            State state = states.get(id);
            if (regressions.halted(id)) {
                states.remove(id); // rule 5: never served again by this broker until it restarts
                continue;
            }
            if (leadership.leader() != nodeId) {
                if (state != null && state.phase() != Phase.HANDING_OVER) {
                    states.remove(id);
                    if (wal != null) { // what it committed here: the database may never go below it
                        logs.log(new TopicPartition(name, id.partition()))
                                .ifPresent(log -> regressions.committed(id, log.highWatermark()));
                    }
                    LOGGER.info("{}-{} is now led by broker {} at epoch {}: no longer served here", name,
                            id.partition(), leadership.leader(), leadership.leaderEpoch());
                }
                continue;
            }
            if (state == null || state.epoch() != leadership.leaderEpoch()) {
                if (state == null || state.phase() != Phase.HANDING_OVER) {
                    open(name, leadership);
                }
            } else if (leadership.moving() && state.phase() == Phase.SERVING) {
                handOver(name, leadership, leadership.targetLeader());
            }
        }
    }

    private void open(String name, PartitionLeadership leadership) {
        TopicPartitionId id = leadership.partition();
        int epoch = leadership.leaderEpoch();
        states.put(id, new State(epoch, Phase.OPENING));
        if (name.equals(slotTopic)) {
            states.put(id, new State(epoch, Phase.SERVING));
            return;
        }
        TopicPartition tp = new TopicPartition(name, id.partition());
        CompletableFuture.runAsync(() -> {
            Optional<PartitionLog> log = logs.log(tp);
            if (log.isEmpty()) {
                throw new IllegalStateException("topic " + name + " is not open here yet");
            }
            WalSink sink = wal;
            long committedEnd = sink == null ? -1 : store.committedEnd(id);
            if (sink != null && !regressions.checkCommittedEnd(id, committedEnd)) {
                throw new IllegalStateException(tp + " is halted: its committed end went back in the database");
            }
            if (staleLocally(id, epoch, log.get())) {
                LOGGER.info("Opening {} at leader epoch {} from the bucket (another broker led it since this one did)",
                        tp, epoch);
                logs.reopenFromBucket(tp);
            } else if (sink != null && log.get().logEndOffset() != committedEnd) {
                // Rule 1: nothing above the committed end survives (it was never acknowledged with acks=all)
                LOGGER.info("Opening {} at leader epoch {} from the bucket and the write-ahead log: its local log ends"
                        + " at {}, the committed end is {}", tp, epoch, log.get().logEndOffset(), committedEnd);
                logs.reopenFromBucket(tp);
            }
            PartitionLog opened = logs.log(tp).orElseThrow();
            opened.setLeaderEpoch(epoch);
            if (sink != null) {
                if (opened.logEndOffset() != committedEnd) {
                    throw new IllegalStateException("rebuilt " + tp + " up to " + opened.logEndOffset()
                            + " but its committed end is " + committedEnd);
                }
                opened.attachWal(sink);
            }
        }, io).whenComplete((ignored, error) -> {
            if (error != null) {
                LOGGER.warn("Could not open {} at leader epoch {} ({}); trying again at the next refresh", tp, epoch,
                        error.toString());
                states.remove(id, new State(epoch, Phase.OPENING));
                return;
            }
            if (states.replace(id, new State(epoch, Phase.OPENING), new State(epoch, Phase.SERVING))) {
                LOGGER.info("Leading {} at epoch {} from offset {}", tp, epoch, logs.log(tp).map(
                        PartitionLog::highWatermark).orElse(-1L));
            }
        });
    }

    /**
     * Kafka's KIP-101 rule for a returning leader, with the bucket as the other replica: the local log is kept only
     * when the last broker that led the partition before {@code epoch} was this one (epochs without a leader
     * skipped); a partition never led before is kept only while empty.
     */
    private boolean staleLocally(TopicPartitionId id, int epoch, PartitionLog log) {
        List<EpochStart> history = new ArrayList<>(store.epochHistory(id));
        history.sort(Comparator.comparingInt(EpochStart::epoch).reversed());
        for (EpochStart start : history) {
            if (start.epoch() >= epoch || start.leader() == PartitionLeadership.NO_LEADER) {
                continue;
            }
            return start.leader() != nodeId;
        }
        return log.highWatermark() > 0;
    }

    /**
     * Hands the partition over to {@code target} (NO_LEADER: to whichever broker the controller picks): stops
     * serving, seals and uploads the tail, then passes leadership in one fenced transaction. When the upload
     * fails the partition is served again and the move is tried at the next refresh.
     */
    CompletableFuture<Void> handOver(String name, PartitionLeadership leadership, int target) {
        TopicPartitionId id = leadership.partition();
        int epoch = leadership.leaderEpoch();
        State serving = new State(epoch, Phase.SERVING);
        State handing = new State(epoch, Phase.HANDING_OVER);
        if (!states.replace(id, serving, handing)) {
            return CompletableFuture.completedFuture(null);
        }
        TopicPartition tp = new TopicPartition(name, id.partition());
        long started = System.nanoTime();
        CompletableFuture<Long> sealed = name.equals(slotTopic) ? CompletableFuture.completedFuture(0L)
                : logs.handOff(tp);
        return sealed.thenApplyAsync(end -> {
            Optional<PartitionLeadership> next = store.handOver(id, nodeId, epoch, end, target);
            if (next.isPresent()) {
                LOGGER.info("Handed {} over to broker {} at epoch {} (log end {}, {} ms)", tp,
                        next.get().leader(), next.get().leaderEpoch(), end,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            } else {
                LOGGER.warn("Could not hand {} over: the database no longer has this broker leading it at epoch {}",
                        tp, epoch);
            }
            return next;
        }, io).handle((next, error) -> {
            if (error != null) {
                LOGGER.warn("Hand-over of {} failed ({}); serving it again until the next try", tp, error.toString());
                logs.log(tp).ifPresent(PartitionLog::resumeAppends);
                states.replace(id, handing, serving);
            } else {
                states.remove(id, handing);
            }
            return null;
        });
    }

    /**
     * A planned shutdown: hands every partition led here over, each to the live broker (other than this one)
     * leading the fewest, or to none when this is the last broker; partitions that arrive meanwhile (a move asked
     * for before the controller knew) are opened and handed over in the next round. Returns when the latest
     * snapshot has nothing led here, or after {@code timeout}: what is left waits for this broker's return.
     */
    void drain(Supplier<ClusterSnapshot> snapshots, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int handed = 0;
        while (System.nanoTime() < deadline) {
            ClusterSnapshot snapshot = snapshots.get();
            List<PartitionLeadership> led = snapshot.leadership().values().stream()
                    .filter(l -> l.leader() == nodeId).toList();
            if (led.isEmpty()) {
                break;
            }
            Map<Integer, Long> load = snapshot.leaderCounts(Optional.empty());
            load.remove(nodeId);
            Map<java.util.UUID, Map<Integer, Long>> topicLoads = new java.util.HashMap<>();
            Map<java.util.UUID, String> names = new java.util.HashMap<>();
            snapshot.topics().values().forEach(topic -> names.put(topic.topicId(), topic.name()));
            List<CompletableFuture<Void>> moves = new ArrayList<>();
            for (PartitionLeadership leadership : led) {
                String name = names.get(leadership.partition().topicId());
                if (name == null || !serving(leadership.partition(), leadership.leaderEpoch())) {
                    continue; // still opening: handed over in a later round
                }
                // The broker leading the fewest of this topic, then of all topics (what the controller balances)
                Map<Integer, Long> topicLoad = topicLoads.computeIfAbsent(leadership.partition().topicId(), id -> {
                    Map<Integer, Long> counts = snapshot.leaderCounts(Optional.of(id));
                    counts.remove(nodeId);
                    return counts;
                });
                int target = topicLoad.keySet().stream().min(java.util.Comparator.<Integer>comparingLong(topicLoad::get)
                        .thenComparingLong(node -> load.getOrDefault(node, 0L)).thenComparing(node -> node))
                        .orElse(PartitionLeadership.NO_LEADER);
                topicLoad.computeIfPresent(target, (node, count) -> count + 1);
                load.computeIfPresent(target, (node, count) -> count + 1);
                moves.add(handOver(name, leadership, target));
            }
            handed += moves.size();
            try {
                if (moves.isEmpty()) {
                    TimeUnit.MILLISECONDS.sleep(MetadataSync.POLL_MS);
                } else {
                    CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new))
                            .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                break;
            }
        }
        long left = snapshots.get().leadership().values().stream().filter(l -> l.leader() == nodeId).count();
        if (left > 0) {
            LOGGER.warn("Handed {} partition(s) over before stopping; {} not within {} ms: they wait for this"
                    + " broker's return", handed, left, timeout.toMillis());
        } else if (handed > 0) {
            LOGGER.info("Handed {} partition(s) over before stopping", handed);
        }
    }

    /** How many partitions are led here, by phase (for logs and tests). */
    Map<Phase, Long> phases() {
        Map<Phase, Long> counts = new java.util.EnumMap<>(Phase.class);
        states.values().forEach(state -> counts.merge(state.phase(), 1L, Long::sum));
        return counts;
    }
}
