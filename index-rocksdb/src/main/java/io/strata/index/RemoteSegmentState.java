package io.strata.index;

/**
 * Where a segment is in its life in the bucket (Kafka's remote log segment states). Each state has
 * a stable one-byte code stored in RocksDB; never renumber a code.
 *
 * <pre>
 *   COPY_STARTED -> COPY_FINISHED -> DELETE_STARTED -> (entry removed)
 * </pre>
 * A segment is readable from the bucket, and its local copy may be deleted, only in
 * {@code COPY_FINISHED}: by then its objects are uploaded and the partition manifest lists it.
 */
public enum RemoteSegmentState {
    /** The upload began; the objects may be missing or complete, the manifest does not list the segment yet. */
    COPY_STARTED(0),
    /** The objects are complete and the manifest lists the segment. */
    COPY_FINISHED(1),
    /** Retention or topic deletion removes the segment: manifest first, then the objects. */
    DELETE_STARTED(2);

    private final byte code;

    RemoteSegmentState(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static RemoteSegmentState fromCode(byte code) {
        for (RemoteSegmentState state : values()) {
            if (state.code == code) {
                return state;
            }
        }
        throw new IndexStoreException("unknown remote segment state code " + code);
    }
}
