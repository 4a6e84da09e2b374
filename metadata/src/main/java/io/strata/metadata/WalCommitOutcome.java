package io.strata.metadata;

import java.util.Optional;

/** What {@link MetadataStore#commitWal} decided for one partition of a WAL object. */
public enum WalCommitOutcome {
    /** The range is committed (now, or by an earlier attempt whose reply was lost): the partition's committed end is
     *  its end offset or past it. */
    COMMITTED,
    /** The writer does not lead the partition at the range's epoch any more, the partition (or its topic) is gone,
     *  or the writer's incarnation was revoked: nothing was recorded for it, and it never will be. */
    FENCED,
    /** The range does not start at the partition's committed end (an earlier range of the chain is not committed
     *  yet): nothing was recorded; commit the earlier one first, then this one again. */
    OUT_OF_ORDER;

    /** A partition's leader, leader epoch and committed end, as a commit re-reads them. */
    public record PartitionState(int leader, int leaderEpoch, long committedEnd) {
    }

    /**
     * The outcome, in every adapter, of a range whose fence did not pass and that no earlier attempt recorded
     * either: {@link #FENCED} when its partition is gone ({@code partition} empty) or led by another broker or at
     * another epoch; {@link #COMMITTED} when the committed end is at its end or past it at the writer's epoch (an
     * earlier attempt recorded it and the range was released since: its offsets are durable); otherwise
     * {@link #OUT_OF_ORDER}, or {@link #FENCED} when the object is being deleted ({@code objectUsable} false: no
     * range may refer to it again, so this one never will be recorded).
     */
    public static WalCommitOutcome ofUnrecorded(WalRange range, int writer, Optional<PartitionState> partition,
                                                boolean objectUsable) {
        if (partition.isEmpty() || partition.get().leader() != writer
                || partition.get().leaderEpoch() != range.leaderEpoch()) {
            return FENCED;
        }
        if (partition.get().committedEnd() >= range.endOffset()) {
            return COMMITTED;
        }
        return objectUsable ? OUT_OF_ORDER : FENCED;
    }
}
