package io.strata.tiering.wal;

import io.strata.metadata.MetadataStore;
import io.strata.metadata.WalCatalog;
import io.strata.metadata.WalCatalog.CommittedObject;
import io.strata.metadata.WalCatalog.Extent;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.remote.BucketInspector.Problem;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.remote.RemoteLayout.WalKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Checks the write-ahead-log objects in the bucket against the metadata database (CLUSTER.md invariant 5) for
 * {@code strata inspect verify}, reading both and writing neither. Each object under {@code wal/} with a WAL key
 * (others are {@link WalInspector#verify}'s {@code NOT_WAL}) is one of:
 * <table>
 *   <caption>What an object in the bucket is</caption>
 *   <tr><th>when</th><th>it is</th></tr>
 *   <tr><td>a row names it, and GC would not take it (a range of it is needed, or its commit is being retried)</td>
 *       <td>referenced; {@code WAL_MISSING} when it is shorter than a needed range's byte end</td></tr>
 *   <tr><td>a row names it and GC would take it ({@link WalCatalog.CommittedObject#collectable}); or no row names it
 *       and its incarnation is revoked or not registered (GC revokes it, then deletes what it never committed)</td>
 *       <td>collectable</td></tr>
 *   <tr><td>no row names it, its incarnation is registered and not revoked, and its sequence is at or above that
 *       writer's highest committed sequence</td><td>in flight (PUT, its commit not there yet)</td></tr>
 *   <tr><td>no row names it, its incarnation is registered and not revoked, and that writer committed a higher
 *       sequence (it commits in sequence order, so this one's commit will never come) while GC leaves a live
 *       writer's objects alone</td><td>{@code WAL_UNREFERENCED}: leaked</td></tr>
 * </table>
 * and every object a row names that GC would not take must be in the bucket: {@code WAL_MISSING} otherwise (data
 * loss: acknowledged records the database points at are gone).
 *
 * <p>A running cluster gives no false alarm: the bucket is listed first, then the database read (one snapshot,
 * {@link MetadataStore#walCatalog}), and each object about to be reported is looked at again (HEAD) after that
 * read: an object PUT and committed after the listing is there by then (not missing), and one that GC deleted and
 * forgot between the listing and the read is gone by then (not unreferenced). "Live" is what GC takes it to mean: a
 * broker row names the incarnation (the controller revokes an incarnation only once none does, so a killed broker's
 * objects count as live until its node id restarts or its row goes).
 *
 * <p>Blocking (the bucket and the database); not for an event loop.
 */
public final class WalReferenceCheck {

    /** What was found: the problems, and how many objects in the bucket were of each kind. */
    public record Report(List<Problem> problems, int referenced, int collectable, int inFlight) {
        public Report {
            problems = List.copyOf(problems);
        }
    }

    private final ObjectStore bucket;
    private final MetadataStore metadata;

    public WalReferenceCheck(ObjectStore bucket, MetadataStore metadata) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.metadata = Objects.requireNonNull(metadata, "metadata");
    }

    /** Lists the bucket, reads the database, and classifies each object (see the class comment). */
    public Report check() {
        List<ObjectInfo> listed = bucket.listAll(RemoteLayout.WAL).join();
        Pass pass = new Pass(metadata.walCatalog());
        Set<String> inBucket = new HashSet<>();
        for (ObjectInfo object : listed) {
            RemoteLayout.walKeyOf(object.key()).ifPresent(key -> {
                inBucket.add(object.key());
                pass.classify(object, key);
            });
        }
        pass.catalog.objects().stream().filter(row -> !row.collectable() && !inBucket.contains(row.objectKey()))
                .forEach(pass::checkAbsent);
        return new Report(pass.problems, pass.referenced, pass.collectable, pass.inFlight);
    }

    /** One check: the catalog read after the listing, each writer's highest committed sequence, what was found. */
    private final class Pass {
        final WalCatalog catalog;
        final Map<String, CommittedObject> rows;
        final Map<UUID, Long> highestCommitted = new HashMap<>();
        final List<Problem> problems = new ArrayList<>();
        int referenced;
        int collectable;
        int inFlight;

        Pass(WalCatalog catalog) {
            this.catalog = catalog;
            rows = catalog.objects().stream().collect(Collectors.toMap(CommittedObject::objectKey, row -> row));
            for (CommittedObject row : catalog.objects()) {
                RemoteLayout.walKeyOf(row.objectKey()).ifPresent(key -> highestCommitted.merge(row.incarnation(),
                        key.sequence(), Math::max));
            }
        }

        /** One listed object with a WAL key. */
        void classify(ObjectInfo object, WalKey key) {
            CommittedObject row = rows.get(object.key());
            UUID incarnation = key.incarnation();
            if (row != null && !row.collectable()) {
                referenced++;
                tooShort(row, object.size()).ifPresent(problems::add);
            } else if (row != null || catalog.revoked().contains(incarnation)
                    || !catalog.registered().contains(incarnation)) {
                collectable++;
            } else if (key.sequence() < highestCommitted.getOrDefault(incarnation, -1L)) {
                if (bucket.head(object.key()).join().isPresent()) { // not collected and forgotten since the listing
                    problems.add(new Problem("WAL_UNREFERENCED", object.key(), "no database row names it and GC will"
                            + " not collect it: its writer, incarnation " + incarnation + ", is registered and not"
                            + " revoked, and has committed sequence " + highestCommitted.get(incarnation)));
                }
            } else {
                inFlight++;
            }
        }

        /** A row GC would not take whose object was not listed: PUT after the listing, or lost. */
        void checkAbsent(CommittedObject row) {
            Optional<ObjectInfo> late = bucket.head(row.objectKey()).join();
            if (late.isPresent()) {
                referenced++;
                tooShort(row, late.get().size()).ifPresent(problems::add);
                return;
            }
            problems.add(new Problem("WAL_MISSING", row.objectKey(), "absent from the bucket, but the database"
                    + (row.ranges().isEmpty() ? " expects its writer to commit ranges of it"
                    : " needs it for " + row.ranges().stream().map(WalReferenceCheck::describe)
                            .collect(Collectors.joining("; ")))));
        }
    }

    /** {@code WAL_MISSING} when the object ({@code size} bytes) ends before one of its needed ranges does. */
    private static Optional<Problem> tooShort(CommittedObject row, long size) {
        List<String> cut = row.ranges().stream().filter(range -> range.byteEnd() > size)
                .map(WalReferenceCheck::describe).toList();
        return cut.isEmpty() ? Optional.empty() : Optional.of(new Problem("WAL_MISSING", row.objectKey(), "only "
                + size + " bytes long, but the database needs " + String.join("; ", cut)));
    }

    /** {@code topic {base64 id} partition {n} offsets {first}..{last} at bytes {from}..{to}} (inclusive). */
    private static String describe(Extent range) {
        return WalInspector.describe(range.partition()) + " offsets " + range.baseOffset() + ".."
                + (range.endOffset() - 1) + " at bytes " + range.position() + ".." + (range.byteEnd() - 1);
    }
}
