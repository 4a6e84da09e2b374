package io.strata.broker.group;

import io.strata.metadata.CoordinatorSlots;
import io.strata.metadata.LeadershipView;
import io.strata.metadata.TopicPartitionId;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * {@link SlotLeases} from the broker's {@link LeadershipView}: this broker holds a lease on a group's coordinator
 * slot ({@link CoordinatorSlots#slotOf}) while the view, as last refreshed, says it leads that partition of
 * {@code __consumer_offsets}; the lease's epoch is the slot's leader epoch. The view may be stale: the database fences
 * every write again with the lease's epoch. Thread-safe.
 */
public final class LeadershipSlotLeases implements SlotLeases {

    private final LeadershipView view;
    private final CoordinatorSlots slots;
    private final IntSupplier localNodeId;

    public LeadershipSlotLeases(LeadershipView view, CoordinatorSlots slots, IntSupplier localNodeId) {
        this.view = view;
        this.slots = slots;
        this.localNodeId = localNodeId;
    }

    @Override
    public Optional<SlotLease> leaseFor(String group) {
        TopicPartitionId slot = slots.slotOf(group);
        int self = localNodeId.getAsInt();
        return view.leadership(slot).filter(leadership -> leadership.leader() == self)
                .map(leadership -> new SlotLease(slot, self, leadership.leaderEpoch()));
    }
}
