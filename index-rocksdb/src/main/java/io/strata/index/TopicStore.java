package io.strata.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Topic definitions. Key: the topic name in UTF-8. Value: the {@link TopicRecord} as JSON, so that
 * {@code ldb} shows it readably. Example:
 * <pre>
 *   orders -> {"name":"orders","topicId":"5b0c6a1e-...","partitions":3,"replicationFactor":1,
 *              "configs":{"retention.ms":"86400000"},"createdMs":1700000000000}
 * </pre>
 * Thread-safe.
 */
public final class TopicStore extends ColumnFamilyStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    TopicStore(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    private static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private static TopicRecord decode(byte[] key, byte[] value) {
        try {
            return JSON.readValue(value, TopicRecord.class);
        } catch (IOException e) {
            throw new IndexStoreException("corrupt topic record for " + new String(key, StandardCharsets.UTF_8), e);
        }
    }

    public void put(IndexBatch batch, TopicRecord topic) {
        try {
            batch.put(family, key(topic.name()), JSON.writeValueAsBytes(topic));
        } catch (JsonProcessingException e) {
            throw new IndexStoreException("cannot encode topic " + topic.name(), e);
        }
    }

    public void delete(IndexBatch batch, String name) {
        batch.delete(family, key(name));
    }

    public Optional<TopicRecord> get(String name) {
        byte[] key = key(name);
        return get(key).map(value -> decode(key, value));
    }

    /** Every topic, by name. */
    public List<TopicRecord> list() {
        return scanAll(TopicStore::decode);
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_TOPICS;
    }
}
