package io.strata.broker.group;

import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicPartitionId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;

/**
 * The calls the group storages make to the metadata database on a group's behalf: each runs on {@code pool}, never
 * on the caller's thread (JDBC blocks), an unreachable database ({@link MetadataException}) fails it with
 * {@link CoordinatorNotAvailableException} (retriable), and a write names the group's coordinator slot and this
 * broker ({@link SlotLeases}) and the slot epoch the coordinator holds the group at, failing with
 * {@link NotCoordinatorException} when this broker holds no lease on the slot or the database fenced the write.
 * Thread-safe.
 */
final class SlotFencedCalls {

    /** A write the database makes only if {@code coordinator} leads {@code slot} at {@code slotEpoch}. */
    @FunctionalInterface
    interface FencedWrite {
        /** @return false when fenced: nothing was written */
        boolean write(MetadataStore store, TopicPartitionId slot, int coordinator, int slotEpoch);
    }

    private final MetadataStore store;
    private final SlotLeases leases;
    private final Executor pool;

    SlotFencedCalls(MetadataStore store, SlotLeases leases, Executor pool) {
        this.store = store;
        this.leases = leases;
        this.pool = pool;
    }

    MetadataStore store() {
        return store;
    }

    /** Runs {@code work} on the pool. */
    <T> CompletableFuture<T> call(Supplier<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.get();
            } catch (MetadataException e) {
                throw new CoordinatorNotAvailableException("The metadata database did not answer: "
                        + e.getMessage(), e);
            }
        }, pool);
    }

    /**
     * Makes {@code write} for {@code group} on the calling thread, which blocks: call it from work run by
     * {@link #call}.
     */
    void fenced(String group, int slotEpoch, FencedWrite write) {
        SlotLease lease = leases.leaseFor(group).orElseThrow(() -> new NotCoordinatorException(
                "This broker does not lead the coordinator slot of group " + group));
        if (!write.write(store, lease.slot(), lease.nodeId(), slotEpoch)) {
            throw new NotCoordinatorException("The coordinator slot " + lease.slot().partition() + " of group "
                    + group + " is no longer led by broker " + lease.nodeId() + " at epoch " + slotEpoch);
        }
    }
}
