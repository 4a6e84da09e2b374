package io.strata.index;

/** A RocksDB operation failed; the message names the operation and the partition or key involved. */
public class IndexStoreException extends RuntimeException {

    public IndexStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public IndexStoreException(String message) {
        super(message);
    }
}
