package io.strata.metadata;

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
    OUT_OF_ORDER
}
