package io.strata.tiering.log;

import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * A partition, or the whole log directory holding it, is offline because an earlier write, read or
 * fsync of its storage failed. Maps to {@code KAFKA_STORAGE_ERROR} (it is a
 * {@link KafkaStorageException}), which clients treat as retriable: they refresh metadata and try
 * again, and the partition stays offline until the broker restarts and recovers it.
 */
public class StorageOfflineException extends KafkaStorageException {

    public StorageOfflineException(String message) {
        super(message);
    }

    public StorageOfflineException(String message, Throwable cause) {
        super(message, cause);
    }
}
