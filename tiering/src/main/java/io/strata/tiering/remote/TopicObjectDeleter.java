package io.strata.tiering.remote;

import io.strata.index.TopicRecord;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PutCondition;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes every object of a deleted topic from the bucket, retrying with exponential backoff until they
 * are gone. Each attempt: (1) writes the tombstone {@code topics/{topic}-{topicId}/deleted.json}, so that
 * a restore from the bucket treats this incarnation as deleted even if the broker's disk is lost before the
 * deletion finishes ({@link BucketRestore}); (2) lists the topic's prefix and deletes every object but the
 * tombstone; (3) deletes the tombstone. The caller holds the durable intent (RocksDB
 * {@code topic_deletions}) and forgets it when the returned future completes. Tombstone layout:
 * <pre>
 * { "version" : 1, "name" : "orders", "topicId" : "5Hs9bWq3RJ2bm2a0QvOiPA", "deleteTime" : "2026-12-07T12:00:00Z" }
 * </pre>
 * Thread-safe.
 */
final class TopicObjectDeleter {

    private static final Logger LOGGER = LoggerFactory.getLogger(TopicObjectDeleter.class);

    private final ObjectStore store;
    private final ScheduledExecutorService scheduler;
    private final RemoteConfig config;
    private final Clock clock;

    TopicObjectDeleter(ObjectStore store, ScheduledExecutorService scheduler, RemoteConfig config, Clock clock) {
        this.store = store;
        this.scheduler = scheduler;
        this.config = config;
        this.clock = clock;
    }

    /** Deletes the topic's objects; completes once they are gone (exceptionally only when the scheduler stops). */
    CompletableFuture<Integer> delete(TopicRecord topic) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        attempt(topic, 0, done);
        return done;
    }

    private void attempt(TopicRecord topic, long delayMs, CompletableFuture<Integer> done) {
        String prefix = RemoteLayout.topicPrefix(topic.name(), topic.topicId());
        String tombstone = RemoteLayout.topicTombstone(topic.name(), topic.topicId());
        String json = "{ \"version\" : 1, \"name\" : \"" + topic.name() + "\", \"topicId\" : \""
                + RemoteLayout.kafkaId(topic.topicId()) + "\", \"deleteTime\" : \""
                + Instant.ofEpochMilli(clock.millis()) + "\" }\n";
        store.put(tombstone, json.getBytes(StandardCharsets.UTF_8), PutCondition.NONE)
                .thenCompose(written -> store.listAll(prefix))
                .thenCompose(objects -> {
                    List<String> keys = objects.stream().map(ObjectInfo::key).filter(k -> !k.equals(tombstone)).toList();
                    return store.deleteAll(keys).thenApply(v -> keys.size());
                })
                .thenCompose(count -> store.deleteAll(List.of(tombstone)).thenApply(v -> count))
                .whenComplete((count, e) -> {
                    if (e == null) {
                        LOGGER.info("Deleted {} object(s) of topic {} ({}) from the bucket", count, topic.name(),
                                RemoteLayout.kafkaId(topic.topicId()));
                        done.complete(count);
                        return;
                    }
                    long next = delayMs == 0 ? config.retryBackoffMs() : Math.min(config.retryBackoffMaxMs(), delayMs * 2);
                    LOGGER.warn("Could not delete the objects of topic {} under {} (retrying in {} ms; the deletion is"
                            + " kept and resumes after a restart): {}", topic.name(), prefix, next, RemoteLogManager.rootMessage(e));
                    try {
                        scheduler.schedule(() -> attempt(topic, next, done), next, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException closing) {
                        done.completeExceptionally(new IllegalStateException("the remote tier is closing"));
                    }
                });
    }
}
