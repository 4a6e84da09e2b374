package io.strata.objectstore;

/** A conditional write lost: the object exists (If-None-Match) or has another ETag (If-Match). */
public class PreconditionFailedException extends ObjectStoreException {
    public PreconditionFailedException(String key, Throwable cause) {
        super("precondition failed writing " + key, false, cause);
    }
}
