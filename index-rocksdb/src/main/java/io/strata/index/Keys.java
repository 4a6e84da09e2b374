package io.strata.index;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** Byte helpers shared by the key layouts. Stateless. */
final class Keys {

    private Keys() {
    }

    /** The lexicographic successor of a prefix: the smallest byte string greater than every key starting with it. */
    static byte[] increment(byte[] prefix) {
        byte[] next = Arrays.copyOf(prefix, prefix.length);
        for (int i = next.length - 1; i >= 0; i--) {
            if (next[i] != (byte) 0xFF) {
                next[i]++;
                return Arrays.copyOf(next, i + 1);
            }
        }
        throw new IllegalArgumentException("prefix has no successor");
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        return Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Maps a signed long to bytes whose unsigned lexicographic order equals the signed numeric order. */
    static void putOrderedLong(ByteBuffer buffer, long value) {
        buffer.putLong(value ^ Long.MIN_VALUE);
    }

    static long getOrderedLong(ByteBuffer buffer) {
        return buffer.getLong() ^ Long.MIN_VALUE;
    }
}
