package io.strata.index;

/**
 * Where a segment is in its life. Each state has a stable one-byte code stored in RocksDB; never
 * renumber a code.
 */
public enum SegmentState {
    /** The segment being appended to; its catalog entry's sizes are updated at roll and flush only. */
    ACTIVE(0),
    /** Rolled: immutable and complete on local disk. */
    SEALED(1);

    private final byte code;

    SegmentState(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static SegmentState fromCode(byte code) {
        for (SegmentState state : values()) {
            if (state.code == code) {
                return state;
            }
        }
        throw new IndexStoreException("unknown segment state code " + code);
    }
}
