package io.strata.tiering.remote;

import io.strata.index.ProducerStateEntry;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PreconditionFailedException;
import io.strata.objectstore.PutCondition;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes and reads the partitions' producer-state objects,
 * {@code topics/{topic}-{topicId}/{partition}/producers-{endOffset:020d}.json} (format: {@link ProducerStateSnapshot}).
 * A hand-over writes one at the partition's end offset once every offset below it is in the bucket; the new leader
 * reads the newest one at or below the end of the bucket's segments. Each is PUT with If-None-Match and never
 * overwritten: when one is already there for that end offset (a retried hand-over, or an earlier hand-over of the
 * same log end), it is kept, since the state at one offset of one log is the same whoever wrote it. Once a new one is
 * written, the partition's older ones are deleted ({@link #deleteOlder}): a reader takes the newest at or below the
 * end of the bucket's segments, and that end never falls below a written object's. The rest go with their topic.
 * Blocking; thread-safe.
 */
final class ProducerStateObjects {

    private static final Logger LOGGER = LoggerFactory.getLogger(ProducerStateObjects.class);

    private final ObjectStore store;

    ProducerStateObjects(ObjectStore store) {
        this.store = store;
    }

    /** Writes the state of {@code tp} as of {@code endOffset}; returns its key. */
    String write(TopicPartition tp, UUID topicId, long endOffset, List<ProducerStateEntry> entries) {
        String key = RemoteLayout.producerState(tp, topicId, endOffset);
        byte[] json = ProducerStateSnapshot.of(tp.topic(), RemoteLayout.kafkaId(topicId), tp.partition(), endOffset,
                entries).toJson();
        try {
            store.put(key, json, PutCondition.IF_ABSENT).join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof PreconditionFailedException)) {
                throw e;
            }
            if (!Arrays.equals(store.get(key).join(), json)) {
                LOGGER.info("{} is already in the bucket (an earlier hand-over at the same log end); kept", key);
            }
        }
        return key;
    }

    /** Deletes the producer-state objects of {@code tp} that end below {@code endOffset}; returns how many. */
    int deleteOlder(TopicPartition tp, UUID topicId, long endOffset) {
        List<String> older = store.listAll(RemoteLayout.partitionPrefix(tp, topicId)).join().stream()
                .map(ObjectInfo::key)
                .filter(key -> RemoteLayout.producerStateEndOf(key).orElse(Long.MAX_VALUE) < endOffset)
                .toList();
        if (!older.isEmpty()) {
            store.deleteAll(older).join();
        }
        return older.size();
    }

    /**
     * The newest snapshot of {@code tp} whose end offset is at most {@code atMost}; empty when there is none.
     *
     * @throws IllegalStateException naming the object when it is too big, unreadable or about another partition
     */
    Optional<ProducerStateSnapshot> newest(TopicPartition tp, UUID topicId, long atMost) {
        ObjectInfo best = null;
        long bestEnd = -1;
        for (ObjectInfo object : store.listAll(RemoteLayout.partitionPrefix(tp, topicId)).join()) {
            OptionalLong end = RemoteLayout.producerStateEndOf(object.key());
            if (end.isPresent() && end.getAsLong() <= atMost && end.getAsLong() > bestEnd) {
                best = object;
                bestEnd = end.getAsLong();
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        if (best.size() > BucketObjectChecks.MAX_MANIFEST_BYTES) {
            throw new IllegalStateException("Producer state " + best.key() + " is " + best.size() + " bytes, more than"
                    + " the " + BucketObjectChecks.MAX_MANIFEST_BYTES + " allowed");
        }
        ProducerStateSnapshot snapshot;
        try {
            snapshot = ProducerStateSnapshot.fromJson(store.get(best.key()).join());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Producer state " + best.key() + " is unreadable: " + e.getMessage(), e);
        }
        if (!snapshot.topic().equals(tp.topic()) || snapshot.partition() != tp.partition()
                || !snapshot.topicId().equals(RemoteLayout.kafkaId(topicId)) || snapshot.endOffset() != bestEnd) {
            throw new IllegalStateException("Producer state " + best.key() + " describes " + snapshot.topic() + "-"
                    + snapshot.partition() + " (id " + snapshot.topicId() + ") at offset " + snapshot.endOffset()
                    + ", not the partition and offset of its key");
        }
        return Optional.of(snapshot);
    }
}
