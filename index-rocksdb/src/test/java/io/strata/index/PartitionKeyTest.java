package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PartitionKeyTest {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    static Stream<PartitionKey> edgeKeys() {
        return Stream.of(
                new PartitionKey(new UUID(0, 0), 0),
                new PartitionKey(new UUID(1, 2), 3),
                new PartitionKey(new UUID(1, -1L), Integer.MAX_VALUE),
                new PartitionKey(new UUID(-1L, -1L), 0),
                new PartitionKey(new UUID(-1L, -1L), 255),
                new PartitionKey(new UUID(-1L, -1L), Integer.MAX_VALUE),
                new PartitionKey(new UUID(Long.MIN_VALUE, Long.MIN_VALUE), 65535));
    }

    @Test
    void prefixMatchesTheDocumentedExample() {
        // Given the documented topic id and partition
        PartitionKey key = new PartitionKey(UUID.fromString("00000000-0000-0001-0000-000000000002"), 3);

        // When it is encoded
        byte[] prefix = key.prefix();

        // Then it is msb, lsb and partition, big-endian, 20 bytes
        assertThat(HEX.formatHex(prefix)).isEqualTo("0000000000000001" + "0000000000000002" + "00000003");
        assertThat(prefix).hasSize(PartitionKey.LENGTH);
    }

    @Test
    void prefixOfAllOnesTopicAndMaxPartitionIsFfExceptTheSignByte() {
        PartitionKey key = new PartitionKey(new UUID(-1L, -1L), Integer.MAX_VALUE);

        byte[] prefix = key.prefix();

        assertThat(HEX.formatHex(prefix)).isEqualTo("FF".repeat(16) + "7FFFFFFF");
    }

    @Test
    void keyWithSuffixStartsWithThePrefixAndLeavesRoomForTheSuffix() {
        PartitionKey key = new PartitionKey(new UUID(5, 6), 7);

        ByteBuffer buffer = key.keyWithSuffix(8);

        assertThat(buffer.position()).isEqualTo(PartitionKey.LENGTH);
        assertThat(buffer.remaining()).isEqualTo(8);
        assertThat(Arrays.copyOf(buffer.array(), PartitionKey.LENGTH)).isEqualTo(key.prefix());
    }

    @ParameterizedTest
    @MethodSource("edgeKeys")
    void readFromDecodesWhatWriteToEncoded(PartitionKey key) {
        ByteBuffer buffer = ByteBuffer.wrap(key.prefix());

        PartitionKey decoded = PartitionKey.readFrom(buffer);

        assertThat(decoded).isEqualTo(key);
        assertThat(buffer.remaining()).isZero();
    }

    @ParameterizedTest
    @MethodSource("edgeKeys")
    void upperBoundIsAboveEveryKeyOfThePartition(PartitionKey key) {
        byte[] highestKeyOfPartition = new byte[PartitionKey.LENGTH + 16];
        System.arraycopy(key.prefix(), 0, highestKeyOfPartition, 0, PartitionKey.LENGTH);
        Arrays.fill(highestKeyOfPartition, PartitionKey.LENGTH, highestKeyOfPartition.length, (byte) 0xFF);

        byte[] upper = key.prefixUpperBound();

        assertThat(Arrays.compareUnsigned(upper, highestKeyOfPartition)).isPositive();
        assertThat(Arrays.compareUnsigned(upper, key.prefix())).isPositive();
        assertThat(Keys.startsWith(upper, key.prefix())).isFalse();
    }

    @Test
    void upperBoundOfAnOrdinaryPartitionIsTheNextPartitionsPrefix() {
        PartitionKey key = new PartitionKey(new UUID(1, 2), 3);

        byte[] upper = key.prefixUpperBound();

        assertThat(upper).isEqualTo(new PartitionKey(new UUID(1, 2), 4).prefix());
    }

    @Test
    void upperBoundOfMaxPartitionIsNotAboveTheNextTopicsFirstPartition() {
        PartitionKey key = new PartitionKey(new UUID(1, -1L), Integer.MAX_VALUE);
        byte[] nextTopicFirstPrefix = new PartitionKey(new UUID(2, 0), 0).prefix();

        byte[] upper = key.prefixUpperBound();

        assertThat(HEX.formatHex(upper)).isEqualTo("0000000000000001" + "FFFFFFFFFFFFFFFF" + "80");
        assertThat(Arrays.compareUnsigned(upper, nextTopicFirstPrefix)).isNegative();
    }

    @Test
    void upperBoundOfPartition255CarriesIntoTheNextByte() {
        PartitionKey key = new PartitionKey(new UUID(-1L, -1L), 255);

        byte[] upper = key.prefixUpperBound();

        assertThat(HEX.formatHex(upper)).isEqualTo("FF".repeat(16) + "000001");
        assertThat(Arrays.compareUnsigned(upper, new PartitionKey(new UUID(-1L, -1L), 256).prefix()))
                .isNegative();
    }

    @Test
    void rejectsNegativePartition() {
        assertThatThrownBy(() -> new PartitionKey(new UUID(1, 2), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void rejectsNullTopicId() {
        assertThatThrownBy(() -> new PartitionKey(null, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topicId");
    }

    @Test
    void keysWithSameTopicAndPartitionAreEqual() {
        assertThat(new PartitionKey(new UUID(1, 2), 3))
                .isEqualTo(new PartitionKey(new UUID(1, 2), 3))
                .hasSameHashCodeAs(new PartitionKey(new UUID(1, 2), 3))
                .isNotEqualTo(new PartitionKey(new UUID(1, 2), 4))
                .isNotEqualTo(new PartitionKey(new UUID(1, 3), 3));
    }

    @Test
    void toStringIsTopicIdDashPartition() {
        PartitionKey key = new PartitionKey(UUID.fromString("00000000-0000-0001-0000-000000000002"), 3);

        assertThat(key).hasToString("00000000-0000-0001-0000-000000000002-3");
    }
}
