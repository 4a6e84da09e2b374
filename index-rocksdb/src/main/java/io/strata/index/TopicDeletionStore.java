package io.strata.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Durable topic-deletion intents: a deleted topic stays here from the moment its definition is removed
 * (in the same synced batch) until its partition directories and its bucket objects are gone, so that a
 * deletion interrupted by a crash or by a failing bucket resumes at the next start. Key: the topic id as
 * its 36-character UUID string in US-ASCII. Value: the deleted {@link TopicRecord} as JSON (as in
 * {@link TopicStore}). Example:
 * <pre>
 *   5b0c6a1e-3b1f-4c55-9f0e-2d7b6f8e9a10 -> {"name":"orders","topicId":"5b0c6a1e-...","partitions":3,...}
 * </pre>
 * Thread-safe.
 */
public final class TopicDeletionStore extends ColumnFamilyStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    TopicDeletionStore(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    private static byte[] key(UUID topicId) {
        return topicId.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static TopicRecord decode(byte[] key, byte[] value) {
        try {
            return JSON.readValue(value, TopicRecord.class);
        } catch (IOException e) {
            throw new IndexStoreException("corrupt topic deletion intent " + new String(key, StandardCharsets.US_ASCII),
                    e);
        }
    }

    /** Records that {@code topic} is being deleted. */
    public void put(IndexBatch batch, TopicRecord topic) {
        try {
            batch.put(family, key(topic.topicId()), JSON.writeValueAsBytes(topic));
        } catch (JsonProcessingException e) {
            throw new IndexStoreException("cannot encode the deletion of topic " + topic.name(), e);
        }
    }

    /** Forgets the intent once everything of the topic is gone; synced. */
    public void remove(UUID topicId) {
        try (IndexBatch batch = store.newBatch()) {
            batch.delete(family, key(topicId));
            batch.commit(true);
        }
    }

    /** Every topic whose deletion is not finished. */
    public List<TopicRecord> list() {
        return scanAll(TopicDeletionStore::decode);
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_TOPIC_DELETIONS;
    }
}
