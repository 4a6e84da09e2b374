package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    @Test
    void incrementAddsOneToTheLastByte() {
        assertThat(HEX.formatHex(Keys.increment(HEX.parseHex("0102")))).isEqualTo("0103");
    }

    @Test
    void incrementDropsTrailingFfBytesAndCarries() {
        assertThat(HEX.formatHex(Keys.increment(HEX.parseHex("01FEFFFF")))).isEqualTo("01FF");
    }

    @Test
    void incrementTreatsBytesAsUnsigned() {
        assertThat(HEX.formatHex(Keys.increment(HEX.parseHex("7F")))).isEqualTo("80");
    }

    @Test
    void incrementDoesNotModifyItsArgument() {
        byte[] prefix = HEX.parseHex("00FF");

        Keys.increment(prefix);

        assertThat(HEX.formatHex(prefix)).isEqualTo("00FF");
    }

    @Test
    void incrementOfAllFfHasNoSuccessor() {
        assertThatThrownBy(() -> Keys.increment(HEX.parseHex("FFFF")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void startsWithComparesOnlyThePrefixBytes() {
        byte[] key = HEX.parseHex("0102030405");

        assertThat(Keys.startsWith(key, HEX.parseHex("010203"))).isTrue();
        assertThat(Keys.startsWith(key, HEX.parseHex("010204"))).isFalse();
        assertThat(Keys.startsWith(key, HEX.parseHex("010203040506"))).isFalse();
        assertThat(Keys.startsWith(key, new byte[0])).isTrue();
    }

    @Test
    void orderedLongFlipsTheSignBit() {
        ByteBuffer buffer = ByteBuffer.allocate(8);

        Keys.putOrderedLong(buffer, 1700000000000L);

        assertThat(HEX.formatHex(buffer.array())).isEqualTo("8000018BCFE56800");
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MIN_VALUE, -2, -1, 0, 1, Long.MAX_VALUE})
    void orderedLongRoundTrips(long value) {
        ByteBuffer buffer = ByteBuffer.allocate(8);
        Keys.putOrderedLong(buffer, value);

        long decoded = Keys.getOrderedLong(buffer.flip());

        assertThat(decoded).isEqualTo(value);
    }

    @Test
    void orderedLongByteOrderIsSignedNumericOrder() {
        long[] ascending = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1_000_000L, -1, 0, 1, 1L << 31, 1L << 32,
                Long.MAX_VALUE - 1, Long.MAX_VALUE};

        for (int i = 1; i < ascending.length; i++) {
            assertThat(Arrays.compareUnsigned(ordered(ascending[i - 1]), ordered(ascending[i])))
                    .as("%d < %d", ascending[i - 1], ascending[i])
                    .isNegative();
        }
    }

    private static byte[] ordered(long value) {
        ByteBuffer buffer = ByteBuffer.allocate(8);
        Keys.putOrderedLong(buffer, value);
        return buffer.array();
    }
}
