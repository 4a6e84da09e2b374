package io.strata.tiering.remote;

import io.strata.objectstore.ObjectStore;
import java.util.Objects;

/**
 * The bucket a broker tiers to and how: given to the {@link io.strata.tiering.LogManager} when it opens.
 *
 * @param store  the bucket, under the broker's prefix
 * @param config the remote tier's settings
 * @param lease  this broker's right to write under the prefix (a {@link BucketPrefixClaim} in single-broker mode)
 */
public record RemoteStorage(ObjectStore store, RemoteConfig config, PrefixLease lease) {
    public RemoteStorage {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(lease, "lease");
    }

    /**
     * The bucket with every write and delete gated by {@link #lease()} (what the remote tier writes through), for
     * another writer under the same prefix: single-broker mode's write-ahead log.
     */
    public ObjectStore fencedStore() {
        return new FencedObjectStore(store, lease);
    }
}
