package io.strata.broker.group;

import io.strata.index.GroupOffset;
import io.strata.metadata.CommittedOffset;
import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicPartitionId;
import io.strata.tiering.remote.GroupOffsetSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@link OffsetStorage} in the cluster's metadata database ({@link MetadataStore#commitOffsets} and friends): every
 * write names the group's coordinator slot and this broker ({@link SlotLeases}) and the slot epoch at which the
 * coordinator holds the group it validated the write against, and the database stores it only if this broker leads
 * the slot at exactly that epoch, in the same transaction. So a coordinator whose slot moved cannot store one more
 * offset, nor can one that leads the slot again but decided on a group from before the move (CLUSTER.md invariant 1);
 * the new coordinator reads every offset the old one committed. Offsets are keyed by topic id in the database and by
 * topic name here ({@link TopicIds}); an offset of a topic that no longer exists is not reported, so a re-created
 * topic starts without the old topic's offsets (rule 9).
 *
 * <p>Failures, as {@link OffsetStorage#errorOf} turns them into Kafka errors: a write while this broker holds no
 * lease on the slot, or one the database fences (the slot moved), fails with {@link NotCoordinatorException}; a
 * commit naming a topic that does not exist with {@link UnknownTopicOrPartitionException}; an unreachable database
 * ({@link MetadataException}) with {@link CoordinatorNotAvailableException} (retriable). Every database call runs on
 * {@code pool}, never on the caller's thread (JDBC blocks). Thread-safe.
 *
 * <p>Not supported: {@link #groupIds()} is empty (the store cannot list groups), so at start, and after a slot
 * moves here, a group is known to this coordinator only once a request names it ({@link GroupCoordinator#admit}
 * then reads its offsets). Until then ListGroups does not report it, and its offsets do not expire.
 */
public final class MetadataOffsetStorage implements OffsetStorage, GroupOffsetSource {

    private final SlotFencedCalls calls;
    private final MetadataStore store;
    private final TopicIds topics;
    private final Consumer<String> changed;

    /**
     * @param pool where the blocking database calls run (the broker's pool for metadata calls)
     */
    public MetadataOffsetStorage(MetadataStore store, SlotLeases leases, TopicIds topics, Executor pool) {
        this(store, leases, topics, pool, group -> {
        });
    }

    /**
     * @param changed told the group after each write of its offsets here (the bucket's copy,
     *                {@link io.strata.tiering.remote.GroupOffsetUploader}, reads them back through
     *                {@link #offsets})
     */
    public MetadataOffsetStorage(MetadataStore store, SlotLeases leases, TopicIds topics, Executor pool,
                                 Consumer<String> changed) {
        this.calls = new SlotFencedCalls(store, leases, pool);
        this.store = store;
        this.topics = topics;
        this.changed = changed;
    }

    @Override
    public CompletableFuture<Void> commit(int slotEpoch, List<GroupOffset> offsets) {
        if (offsets.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String group = offsets.get(0).group();
        return call(() -> {
            List<CommittedOffset> rows = new ArrayList<>();
            for (GroupOffset offset : offsets) {
                UUID topicId = topics.idOf(offset.topic()).orElseThrow(() -> new UnknownTopicOrPartitionException(
                        "Topic " + offset.topic() + " does not exist"));
                rows.add(new CommittedOffset(group, new TopicPartitionId(topicId, offset.partition()),
                        offset.offset(), offset.leaderEpoch().orElse(-1), offset.metadata().orElse(""),
                        offset.commitTimestampMs()));
            }
            calls.fenced(group, slotEpoch, (db, slot, coordinator, epoch) ->
                    db.commitOffsets(slot, coordinator, epoch, rows));
            changed.accept(group);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<GroupOffset>> fetch(String group) {
        return call(() -> read(group));
    }

    /** The group's committed offsets as {@link #fetch} reads them, blocking (the bucket's copy reads them here). */
    @Override
    public List<GroupOffset> offsets(String group) {
        return read(group);
    }

    @Override
    public Optional<UUID> topicId(String topic) {
        return topics.idOf(topic);
    }

    private List<GroupOffset> read(String group) {
        List<GroupOffset> offsets = new ArrayList<>();
        for (CommittedOffset row : store.committedOffsets(group)) {
            topics.nameOf(row.partition().topicId()).ifPresent(topic -> offsets.add(new GroupOffset(group, topic,
                    row.partition().partition(), row.offset(),
                    row.leaderEpoch() < 0 ? OptionalInt.empty() : OptionalInt.of(row.leaderEpoch()),
                    Optional.of(row.metadata()), row.commitTimeMs())));
        }
        return offsets;
    }

    @Override
    public CompletableFuture<Void> delete(int slotEpoch, String group, Collection<TopicPartition> partitions) {
        return call(() -> {
            // Offsets of a topic that no longer exists are never reported: nothing to delete for them
            List<TopicPartitionId> ids = partitions.stream().flatMap(tp -> topics.idOf(tp.topic())
                    .map(id -> new TopicPartitionId(id, tp.partition())).stream()).toList();
            if (!ids.isEmpty()) {
                deleteFenced(slotEpoch, group, ids);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> deleteGroup(int slotEpoch, String group) {
        return call(() -> {
            deleteFenced(slotEpoch, group, List.of());
            return null;
        });
    }

    /**
     * Deletes the group's offsets committed at or before {@code cutoffMs}, fenced like every write; completes with
     * how many offsets the group still has in the database (those of deleted topics included).
     */
    @Override
    public CompletableFuture<Integer> expire(int slotEpoch, String group, long cutoffMs) {
        return call(() -> {
            List<CommittedOffset> all = store.committedOffsets(group);
            List<TopicPartitionId> expired = all.stream().filter(row -> row.commitTimeMs() <= cutoffMs)
                    .map(CommittedOffset::partition).toList();
            if (!expired.isEmpty()) {
                deleteFenced(slotEpoch, group, expired);
            }
            return all.size() - expired.size();
        });
    }

    /** Always empty: the metadata store has no listing of groups (see the class comment). */
    @Override
    public List<String> groupIds() {
        return List.of();
    }

    /** Deletes {@code partitions} of the group (all of them when empty: the store's convention). */
    private void deleteFenced(int slotEpoch, String group, List<TopicPartitionId> partitions) {
        calls.fenced(group, slotEpoch, (db, slot, coordinator, epoch) ->
                db.deleteOffsets(slot, coordinator, epoch, group, partitions));
        changed.accept(group);
    }

    private <T> CompletableFuture<T> call(Supplier<T> work) {
        return calls.call(work);
    }
}
