package io.strata.objectstore;

/** The key does not exist (HTTP 404 / NoSuchKey). */
public class ObjectNotFoundException extends ObjectStoreException {
    public ObjectNotFoundException(String key, Throwable cause) {
        super("no such object: " + key, false, cause);
    }
}
