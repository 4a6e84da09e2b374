package io.strata.tiering.remote;

import io.strata.objectstore.ObjectStoreException;

/**
 * A write or delete of the bucket refused because this broker may not write under its prefix: fenced
 * by another writer (for good), or its {@link PrefixLease} lapsed (retriable: a renewal may restore it).
 */
public final class WriterFencedException extends ObjectStoreException {
    public WriterFencedException(String message, boolean retriable) {
        super(message, retriable, null);
    }
}
