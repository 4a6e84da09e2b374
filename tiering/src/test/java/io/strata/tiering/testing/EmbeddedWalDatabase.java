package io.strata.tiering.testing;

import io.strata.index.RocksDbIndexStore;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The embedded metadata store over a RocksDB of its own, with the controller lease taken by node {@value #NODE},
 * for tests of the WAL against the database: {@link #lead} creates a topic of one partition that node leads at epoch 1.
 */
public final class EmbeddedWalDatabase implements AutoCloseable {

    /** The node that holds the controller lease and leads every partition {@link #lead} creates. */
    public static final int NODE = 1;

    private final RocksDbIndexStore database;
    private final long controller;

    public EmbeddedWalDatabase(Path dir) {
        database = RocksDbIndexStore.open(dir.resolve("index"));
        controller = store().claimController(NODE, UUID.randomUUID(), Optional.empty()).orElseThrow();
    }

    public MetadataStore store() {
        return database.metadata();
    }

    /** The controller epoch of the lease taken at the start. */
    public long controller() {
        return controller;
    }

    /** A new topic of one partition, led by {@link #NODE} at epoch 1. */
    public TopicPartitionId lead(String topic) {
        TopicPartitionId tp = new TopicPartitionId(UUID.randomUUID(), 0);
        store().createTopic(new TopicDefinition(tp.topicId(), topic, 1, Map.of()));
        store().electLeader(controller, tp, 0, NODE).orElseThrow();
        return tp;
    }

    @Override
    public void close() {
        database.close();
    }
}
