package io.strata.tiering;

import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.tiering.remote.RemoteLogManager;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable topic-deletion intents ({@code topic_deletions} in RocksDB, written by {@link TopicCatalog} in the
 * batch that removes the topic's catalog entries): an intent stays from the moment a deletion is committed until the
 * topic's partition directories and bucket objects are gone, so that a deletion interrupted by a stop resumes at the
 * next start ({@link #resume}).
 *
 * <p>Thread-safe: an intent is removed from whichever thread completes the bucket deletion, under a lock that
 * {@link #close} takes so that nothing is written to the store once it is closing.
 */
final class TopicDeletions {

    private static final Logger LOGGER = LoggerFactory.getLogger(TopicDeletions.class);

    private final RocksDbIndexStore store;
    private final Optional<RemoteLogManager> remote;
    /** Guards the removal of deletion intents against the store closing. */
    private final Object lock = new Object();
    private boolean closing;

    TopicDeletions(RocksDbIndexStore store, Optional<RemoteLogManager> remote) {
        this.store = store;
        this.remote = remote;
    }

    /** Finishes the deletions that were under way when the broker stopped. */
    void resume() {
        for (TopicRecord topic : store.topicDeletions().list()) {
            LOGGER.info("Resuming the deletion of topic {} ({})", topic.name(), LogManager.toKafka(topic.topicId()));
            finish(topic, true);
        }
    }

    /**
     * Deletes the topic's bucket objects (retried until done) and then forgets the deletion intent, unless
     * {@code localGone} is false (a partition directory could not be renamed away: the next start removes it).
     */
    void finish(TopicRecord topic, boolean localGone) {
        CompletableFuture<Void> remoteGone = remote.map(r -> r.deleteTopic(topic))
                .orElse(CompletableFuture.completedFuture(null));
        remoteGone.thenRun(() -> {
            synchronized (lock) {
                if (!closing && localGone) {
                    store.topicDeletions().remove(topic.topicId());
                }
            }
        });
    }

    /** Stops removing intents: the store is about to close (the next start resumes what is left). */
    void close() {
        synchronized (lock) {
            closing = true;
        }
    }
}
