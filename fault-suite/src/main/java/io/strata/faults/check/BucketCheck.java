package io.strata.faults.check;

import io.strata.objectstore.ObjectStore;
import io.strata.tiering.remote.BucketInspector;
import io.strata.tiering.remote.BucketInspector.Inventory;
import io.strata.tiering.remote.BucketInspector.Problem;
import io.strata.tiering.remote.BucketInspector.TopicView;
import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks at the bucket the way {@code strata inspect} does ({@link BucketInspector}), straight against the S3
 * server (not through a fault proxy): how far each partition's manifest reaches, and whether manifests and
 * objects agree (every listed object present and intact, no orphans). Blocking; not thread-safe.
 */
public final class BucketCheck {

    private final BucketInspector inspector;

    public BucketCheck(ObjectStore store) {
        this.inspector = new BucketInspector(store);
    }

    /** For each partition of {@code topic} with a manifest: the offset after its last uploaded segment. */
    public Map<Integer, Long> uploadedEnds(String topic) {
        Map<Integer, Long> ends = new HashMap<>();
        for (TopicView view : inspector.inventory().topics()) {
            if (!view.topic().name().equals(topic)) {
                continue;
            }
            for (Map.Entry<Integer, PartitionManifest> partition : view.partitions().entrySet()) {
                List<ManifestSegment> segments = partition.getValue().segments();
                ends.put(partition.getKey(), segments.isEmpty() ? 0 : segments.get(segments.size() - 1).lastOffset() + 1);
            }
        }
        return ends;
    }

    /** What {@code strata inspect verify} reports (checksums included): empty when the bucket is consistent. */
    public List<Problem> verify() {
        Inventory inventory = inspector.inventory();
        return inspector.verify(inventory, true);
    }
}
