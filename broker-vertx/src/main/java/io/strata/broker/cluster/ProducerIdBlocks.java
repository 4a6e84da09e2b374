package io.strata.broker.cluster;

import io.strata.metadata.MetadataStore;

/**
 * Producer ids for InitProducerId in cluster mode: blocks of {@value #BLOCK_SIZE} reserved in the metadata
 * database (never handed out twice by any broker, CLUSTER.md), handed out one by one. Ids left in a block when the
 * broker stops are never used. Thread-safe; {@link #next()} blocks on the database once per block.
 */
final class ProducerIdBlocks {

    static final int BLOCK_SIZE = 1000;

    private final MetadataStore store;
    private long next;
    private long end;

    ProducerIdBlocks(MetadataStore store) {
        this.store = store;
    }

    /** @throws io.strata.metadata.MetadataException when a new block is needed and the database does not answer */
    synchronized long next() {
        if (next >= end) {
            long first = store.allocateProducerIds(BLOCK_SIZE);
            next = first;
            end = first + BLOCK_SIZE;
        }
        return next++;
    }
}
