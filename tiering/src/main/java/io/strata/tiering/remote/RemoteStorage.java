package io.strata.tiering.remote;

import io.strata.objectstore.ObjectStore;
import java.util.Objects;

/** The bucket a broker tiers to and how: given to the {@link io.strata.tiering.LogManager} when it opens. */
public record RemoteStorage(ObjectStore store, RemoteConfig config) {
    public RemoteStorage {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(config, "config");
    }
}
