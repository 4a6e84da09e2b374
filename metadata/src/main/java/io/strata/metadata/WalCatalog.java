package io.strata.metadata;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What the metadata database says about write-ahead-log objects at one moment ({@link MetadataStore#walCatalog}),
 * read in one consistent snapshot and without writing anything: for checking the bucket against the database
 * ({@code strata inspect verify}, CLUSTER.md invariant 5).
 *
 * @param registered the incarnations of the registered brokers (live or not: the database cannot tell)
 * @param revoked    the writer incarnations the controller revoked: no commit of theirs passes any more
 * @param objects    every committed WAL object, by key
 */
public record WalCatalog(Set<UUID> registered, Set<UUID> revoked, List<CommittedObject> objects) {
    public WalCatalog {
        registered = Set.copyOf(registered);
        revoked = Set.copyOf(revoked);
        objects = List.copyOf(objects);
    }

    /**
     * A committed WAL object: its key, writer incarnation and size as committed, whether garbage collection would take
     * it now ({@link MetadataStore#collectableWalObjects}'s rule: marked deleting, or none of its ranges needed and no
     * range of it waiting for its writer to retry unless that writer is revoked), and the ranges of it still needed.
     */
    public record CommittedObject(String objectKey, UUID incarnation, long sizeBytes, boolean collectable,
                                  List<Extent> ranges) {
        public CommittedObject {
            Objects.requireNonNull(objectKey, "objectKey");
            Objects.requireNonNull(incarnation, "incarnation");
            ranges = List.copyOf(ranges);
        }
    }

    /**
     * Where a needed range of a partition lies: offsets {@code baseOffset} (inclusive) to {@code endOffset}
     * (exclusive) at bytes {@code position} to {@code position + length} of its object (a {@link WalRange} without
     * its batches).
     */
    public record Extent(TopicPartitionId partition, long baseOffset, long endOffset, long position, int length) {
        public Extent {
            Objects.requireNonNull(partition, "partition");
        }

        /** The byte just past the range: the object must be at least this long. */
        public long byteEnd() {
            return position + length;
        }
    }
}
