package io.strata.tiering.remote;

import io.strata.index.TopicRecord;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.PartitionLog;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bucket side of a partition's hand-over ({@link RemoteLogManager#handOff}): with the partition's appends stopped
 * and its active segment sealed, one attempt
 * <ol>
 *   <li>writes the topic manifest if this broker has not written the current one;</li>
 *   <li>copies every segment not yet in the bucket through {@link SegmentCopier} (If-None-Match PUTs, the
 *       {@link UploadFence}, the manifest rewritten per segment), and checks that every offset below the end is
 *       now in the bucket (or below the log start offset);</li>
 *   <li>asks the fence once more and writes the manifest, so that it carries the current log start offset even when
 *       nothing was copied;</li>
 *   <li>writes the producer state at the end ({@link ProducerStateObjects}) and deletes the partition's older ones.</li>
 * </ol>
 * A failed attempt is retried after the remote tier's backoff (doubling from {@code retry.backoff.ms} up to its
 * maximum) until the deadline; a refusal of the fence or a fenced prefix lease ends it at once. Blocking; one
 * hand-over per partition at a time (the caller holds the partition). Thread-safe.
 */
final class HandOffUpload {

    private static final Logger LOGGER = LoggerFactory.getLogger(HandOffUpload.class);

    private final PrefixLease lease;
    private final SegmentCopier copier;
    private final ManifestWriter manifests;
    private final ProducerStateObjects producerStates;
    private final RemoteConfig config;
    private final Consumer<TopicRecord> topicManifest;

    HandOffUpload(PrefixLease lease, SegmentCopier copier, ManifestWriter manifests,
                  ProducerStateObjects producerStates, RemoteConfig config, Consumer<TopicRecord> topicManifest) {
        this.lease = lease;
        this.copier = copier;
        this.manifests = manifests;
        this.producerStates = producerStates;
        this.config = config;
        this.topicManifest = topicManifest;
    }

    /**
     * Retries {@link #attempt} until it succeeds or {@code deadlineNanos} ({@link System#nanoTime}) passes.
     *
     * @throws UploadFencedException when the fence refused
     * @throws TimeoutException      when the deadline passed first; the message names the last failure
     */
    void upload(TopicLogs topic, PartitionLog log, long end, long deadlineNanos)
            throws InterruptedException, TimeoutException {
        long delayMs = config.retryBackoffMs();
        while (true) {
            try {
                attempt(topic, log, end);
                return;
            } catch (UploadFencedException e) {
                throw e;
            } catch (RuntimeException e) {
                if (lease.fencedReason().isPresent()) {
                    throw e; // for good (a lapse, which a renewal ends, is retried like any failure)
                }
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                if (leftMs <= 0) {
                    TimeoutException timeout = new TimeoutException("the hand-over upload of " + log.topicPartition()
                            + " did not finish in time; last failure: " + RemoteLogManager.rootMessage(e));
                    timeout.initCause(e);
                    throw timeout;
                }
                LOGGER.warn("Hand-over upload of {} failed (retrying in {} ms): {}", log.topicPartition(),
                        Math.min(delayMs, leftMs), RemoteLogManager.rootMessage(e));
                Thread.sleep(Math.min(delayMs, leftMs));
                delayMs = Math.min(config.retryBackoffMaxMs(), delayMs * 2);
            }
        }
    }

    private void attempt(TopicLogs topic, PartitionLog log, long end) throws InterruptedException {
        lease.checkWritable();
        topicManifest.accept(topic.record());
        copier.copyPending(log);
        if (log.remoteEndOffset() < end && log.logStartOffset() < end) {
            throw new IllegalStateException("offsets " + Math.max(log.remoteEndOffset(), log.logStartOffset())
                    + " to " + (end - 1) + " of " + log.topicPartition() + " are not in the bucket after the upload");
        }
        copier.confirm(log.topicPartition(), end, "the manifest at offset " + end);
        manifests.write(log, Optional.empty());
        String key = producerStates.write(log.topicPartition(), topic.record().topicId(), end, log.producerStates());
        try {
            producerStates.deleteOlder(log.topicPartition(), topic.record().topicId(), end);
        } catch (RuntimeException e) { // left for the next hand-over, or the topic's deletion
            LOGGER.warn("Could not delete the older producer-state objects of {}: {}", log.topicPartition(),
                    RemoteLogManager.rootMessage(e));
        }
        LOGGER.info("Handed {} over to the bucket: offsets {} to {} are there, producer state in {}",
                log.topicPartition(), log.logStartOffset(), end - 1, key);
    }
}
