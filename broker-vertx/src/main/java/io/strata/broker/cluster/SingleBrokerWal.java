package io.strata.broker.cluster;

import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.LogListener;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.PrefixLease;
import io.strata.tiering.remote.RemoteLogManager;
import io.strata.tiering.remote.RemoteStorage;
import io.strata.tiering.remote.UploadFence;
import io.strata.tiering.wal.WalChain;
import io.strata.tiering.wal.WalGcMetrics;
import io.strata.tiering.wal.WalLogSink;
import io.strata.tiering.wal.WalMetrics;
import io.strata.tiering.wal.WalReader;
import io.strata.tiering.wal.WalSettings;
import io.strata.tiering.wal.WalWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log of single-broker mode ({@code wal.enable=true} without {@code metadata.store}): acks=all is
 * answered once the batches are in a WAL object in the bucket and every object of lower sequence is too
 * ({@link WalChain}, CLUSTER.md rule 5), so a broker whose disk is lost comes back with everything it acknowledged.
 *
 * <p>At start ({@link #open}, before the listener binds) every tiered partition is made to end exactly where the
 * bucket says, then sends its appends to the WAL:
 * <ul>
 *   <li>a local log that ends below its committed end in the chain (an empty disk, or a disk that lost writes not
 *       yet synced) gets the chain's ranges above its end replayed into it;</li>
 *   <li>a local log that ends above what the bucket holds (records appended but in no committed object when the
 *       broker died, or written before the WAL was turned on) is sealed and uploaded first, as a hand-over does:
 *       nothing on a kept disk is dropped;</li>
 *   <li>ranges of topics that no longer exist are forgotten.</li>
 * </ul>
 * Topics created later join when their logs open. Topics with {@code remote.storage.enable=false} are not covered:
 * nothing would ever upload, and so release, their ranges. Before the first commit of a topic's records its
 * manifest is written to the bucket, so that a restore on an empty disk finds the topic. Uploads release the ranges
 * they cover ({@link UploadFence#manifested}) and the chain's low end is collected. {@link #close} commits what
 * waits before the logs close.
 */
public final class SingleBrokerWal implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(SingleBrokerWal.class);
    private static final Duration UPLOAD_TIMEOUT = Duration.ofSeconds(120);

    private final LogManager logs;
    private final WalChain chain;
    private final WalWriter writer;
    private final WalLogSink sink;
    private final WalReader reader;
    private final WalMetrics metrics;
    private final WalGcMetrics gcMetrics = new WalGcMetrics();
    private final PrefixLease lease;

    private SingleBrokerWal(LogManager logs, RemoteStorage bucket, int nodeId, WalSettings settings) {
        ObjectStore objects = bucket.fencedStore();
        this.lease = bucket.lease();
        this.logs = logs;
        this.chain = WalChain.load(objects, nodeId, gcMetrics);
        this.metrics = new WalMetrics();
        this.writer = new WalWriter(objects, this::commit, nodeId, UUID.randomUUID(), settings, metrics,
                chain.nextSequence());
        this.sink = new WalLogSink(writer, settings);
        this.reader = new WalReader(chain::walRanges, objects);
    }

    /**
     * Loads the node's chain from the bucket, brings every tiered partition to the end the bucket records (see the
     * class comment) and attaches the WAL to it. Blocking.
     *
     * <p>Every PUT and delete goes through {@code bucket}'s claim of the prefix ({@link RemoteStorage#fencedStore}),
     * and a commit is made only while the claim is good: a broker paused past its claim, whose prefix another broker
     * may have taken, acknowledges nothing more.
     *
     * @throws IllegalStateException when the chain cannot be loaded or a partition cannot be brought to its end
     */
    public static SingleBrokerWal open(LogManager logs, RemoteStorage bucket, int nodeId, WalSettings settings) {
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            throw new IllegalStateException("SingleBrokerWal.open blocks (bucket reads, uploads); call it off the event loop");
        }
        SingleBrokerWal wal = new SingleBrokerWal(logs, bucket, nodeId, settings);
        try {
            wal.start();
            return wal;
        } catch (RuntimeException e) {
            wal.writer.close();
            throw e;
        }
    }

    private void start() {
        logs.setWalTail(reader);
        logs.setUploadFence(new UploadFence() {
            @Override
            public CompletableFuture<Boolean> confirm(TopicPartition tp, long uploadedEnd) {
                return CompletableFuture.completedFuture(true); // one broker: nothing to fence
            }

            @Override
            public void manifested(TopicPartition tp, long end) {
                logs.log(tp).ifPresent(log -> release(log, end));
            }
        });
        Set<UUID> topics = new HashSet<>();
        int replayed = 0;
        int uploaded = 0;
        for (TopicLogs topic : logs.topics()) {
            topics.add(topic.record().topicId());
            for (PartitionLog log : topic.partitions()) {
                if (!log.tiered()) {
                    continue;
                }
                if (replayCommitted(log)) {
                    replayed++;
                }
                if (uploadUncommitted(log)) {
                    uploaded++;
                }
                release(log, log.remoteEndOffset());
                log.attachWal(sink);
            }
        }
        for (UUID topicId : chain.topics()) {
            if (!topics.contains(topicId)) {
                chain.forgetTopic(topicId);
            }
        }
        logs.addListener(new LogListener() {
            @Override
            public void partitionOpened(PartitionLog log) {
                if (log.tiered() && log.committedOnAppend()) {
                    log.attachWal(sink);
                }
            }

            @Override
            public void topicDeleted(TopicLogs topic) {
                chain.forgetTopic(topic.record().topicId());
                collectSoon();
            }
        });
        collectSoon();
        LOGGER.info("Write-ahead log on: {} partition(s) replayed from it, {} uploaded first (they held records the"
                + " bucket did not)", replayed, uploaded);
    }

    /** Appends the chain's committed ranges above the local log end. True when there were any. */
    private boolean replayCommitted(PartitionLog log) {
        OptionalLong committed = chain.committedEnd(idOf(log));
        if (committed.isEmpty() || log.logEndOffset() >= committed.getAsLong()) {
            return false;
        }
        long from = log.logEndOffset();
        for (MemoryRecords records : reader.read(log.key(), from)) {
            log.appendReplayed(records);
        }
        if (log.logEndOffset() != committed.getAsLong()) {
            throw new IllegalStateException("replayed " + log.topicPartition() + " from " + from + " up to "
                    + log.logEndOffset() + " but the write-ahead log committed it up to " + committed.getAsLong());
        }
        LOGGER.info("Replayed {} from the write-ahead log: offsets {} to {}", log.topicPartition(), from,
                committed.getAsLong() - 1);
        return true;
    }

    /**
     * Seals and uploads a log whose local records go past both the chain and the bucket's segments, so that the
     * chain, which goes on from the log end, never leaves a gap. True when it did.
     */
    private boolean uploadUncommitted(PartitionLog log) {
        long durable = chain.committedEnd(idOf(log)).orElse(log.remoteEndOffset());
        if (log.logEndOffset() <= durable) {
            return false;
        }
        LOGGER.info("{} holds offsets {} to {} in neither the write-ahead log nor the bucket: uploading them before"
                + " the WAL takes over", log.topicPartition(), durable, log.logEndOffset() - 1);
        try {
            logs.handOff(log.topicPartition(), UPLOAD_TIMEOUT).get(UPLOAD_TIMEOUT.toMillis() + 5_000,
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while uploading " + log.topicPartition(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot upload the tail of " + log.topicPartition() + " before turning"
                    + " the write-ahead log on: " + e.getMessage(), e);
        } finally {
            log.resumeAppends();
        }
        return true;
    }

    /**
     * The writer's commit: the object joins the chain, while this broker's claim of the prefix is good. A topic's
     * manifest is written first, unless current; ranges of a topic deleted meanwhile are fenced and forgotten.
     */
    private Map<TopicPartitionId, WalCommitOutcome> commit(WalObjectCommit commit) {
        if (!lease.writable()) { // retried by the writer until the claim is renewed (or for good, once taken)
            throw new IllegalStateException("this broker's claim of the bucket prefix is not current: "
                    + lease.fencedReason().orElse("not renewed in time"));
        }
        RemoteLogManager remote = logs.remote().orElseThrow();
        Set<UUID> gone = new HashSet<>();
        for (WalRange range : commit.ranges()) {
            UUID topicId = range.partition().topicId();
            if (gone.contains(topicId)) {
                continue;
            }
            logs.topic(new Uuid(topicId.getMostSignificantBits(), topicId.getLeastSignificantBits())).ifPresentOrElse(
                    topic -> remote.ensureTopicManifest(topic.record()), () -> gone.add(topicId));
        }
        Map<TopicPartitionId, WalCommitOutcome> outcomes = new HashMap<>(chain.commit(commit));
        for (UUID topicId : gone) {
            chain.forgetTopic(topicId);
            outcomes.replaceAll((partition, outcome) -> partition.topicId().equals(topicId)
                    ? WalCommitOutcome.FENCED : outcome);
        }
        return outcomes;
    }

    private void release(PartitionLog log, long end) {
        chain.release(idOf(log), end);
        collectSoon();
    }

    private void collectSoon() {
        CompletableFuture.runAsync(chain::collect, logs.ioExecutor()).whenComplete((ignored, error) -> {
            if (error != null) {
                LOGGER.debug("Could not delete write-ahead-log objects no longer needed: {}", error.toString());
            }
        });
    }

    private static TopicPartitionId idOf(PartitionLog log) {
        return new TopicPartitionId(log.key().topicId(), log.key().partition());
    }

    /** The write-ahead log's counters. */
    public WalMetrics metrics() {
        return metrics;
    }

    /** Its garbage collection's counters (the chain's low end, and orphans deleted at start). */
    public WalGcMetrics gcMetrics() {
        return gcMetrics;
    }

    /** Commits what waits (up to 30 s), then stops the writer: appends from now on are refused. Blocking. */
    @Override
    public void close() {
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            // It waits for the bucket: on an event loop it would stall every connection
            throw new IllegalStateException("SingleBrokerWal.close blocks; call it off the event loop");
        }
        writer.flushAndClose(Duration.ofSeconds(30));
    }
}
