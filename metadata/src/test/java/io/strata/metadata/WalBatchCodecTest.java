package io.strata.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class WalBatchCodecTest {

    @Test
    void batchesRoundTripWithEveryFieldAtItsExtremes() {
        List<WalBatch> batches = List.of(
                new WalBatch(0, 0, -1, (short) -1, -1, -1, -1),
                new WalBatch(1, 500, 42, (short) 3, 0, 499, 1_700_000_000_000L),
                new WalBatch(Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MAX_VALUE, Short.MAX_VALUE, Integer.MAX_VALUE,
                        Integer.MIN_VALUE, Long.MIN_VALUE));

        byte[] bytes = WalBatchCodec.encode(batches);

        assertThat(bytes).hasSize(5 + 3 * 42);
        assertThat(WalBatchCodec.decode(bytes)).isEqualTo(batches);
        assertThat(WalBatchCodec.decode(WalBatchCodec.encode(List.of()))).isEmpty();
    }

    @Test
    void theLayoutIsTheOneTheJavadocDraws() {
        byte[] bytes = WalBatchCodec.encode(List.of(new WalBatch(10, 14, 7, (short) 0, 0, 4, 1_700_000_000_000L)));

        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo("01" + "00000001" + "000000000000000a"
                + "000000000000000e" + "0000000000000007" + "0000" + "00000000" + "00000004" + "0000018bcfe56800");
    }

    @Test
    void anotherVersionATruncatedValueOrTrailingBytesAreRefusedWithTheReason() {
        byte[] good = WalBatchCodec.encode(List.of(new WalBatch(10, 14, 7, (short) 0, 0, 4, 1L)));
        byte[] otherVersion = good.clone();
        otherVersion[0] = 2;

        assertThatThrownBy(() -> WalBatchCodec.decode(otherVersion)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown layout version 2");
        assertThatThrownBy(() -> WalBatchCodec.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("1 batches announced in 46 bytes");
        assertThatThrownBy(() -> WalBatchCodec.decode(Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("1 batches announced in 48 bytes");
        assertThatThrownBy(() -> WalBatchCodec.decode(new byte[] {1, 0}))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shorter than their header");
    }

    @Test
    void aBatchThatEndsBeforeItStartsIsRefused() {
        byte[] bytes = WalBatchCodec.encode(List.of(new WalBatch(10, 14, 7, (short) 0, 0, 4, 1L)));
        bytes[5 + 15] = 9; // lastOffset's low byte: 9 < base 10

        assertThatThrownBy(() -> WalBatchCodec.decode(bytes)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ends (9) before it starts (10)");
    }
}
