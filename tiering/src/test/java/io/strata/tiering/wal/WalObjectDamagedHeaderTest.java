package io.strata.tiering.wal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link WalObject#parseHeader} refuses damaged headers with an {@link IllegalArgumentException}, nothing worse. */
class WalObjectDamagedHeaderTest {

    /** A version-1 fixed header (layout in {@link WalObject}) with the given header length and entry count. */
    private static ByteBuffer fixedHeader(int headerLength, int entries, int totalBytes) {
        ByteBuffer buffer = ByteBuffer.allocate(totalBytes);
        buffer.putInt(WalObject.MAGIC).putShort(WalObject.VERSION).putInt(headerLength).putInt(1)
                .putLong(0).putLong(0).putLong(0).putLong(0).putInt(entries);
        return buffer.position(0);
    }

    @Test
    void anEntryCountWhoseHeaderLengthOverflowsIsRefusedAsCorrupt() {
        // 54 + 52 * 2^30 wraps around to 54 in 32-bit arithmetic: the count passes a length check done in int
        ByteBuffer header = fixedHeader(54, 1 << 30, 54);

        assertThatThrownBy(() -> WalObject.parseHeader(header))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt WAL object header");
    }

    @Test
    void aHeaderLongerThanTheBytesGivenIsRefusedAsCorrupt() {
        ByteBuffer header = fixedHeader(WalObject.headerLength(3), 3, 60);

        assertThatThrownBy(() -> WalObject.parseHeader(header))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt WAL object header");
    }
}
