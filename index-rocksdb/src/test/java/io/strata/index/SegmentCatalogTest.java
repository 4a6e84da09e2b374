package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SegmentCatalogTest extends IndexStoreTestSupport {

    private static final long TWO_31 = 1L << 31;
    private static final long TWO_32 = 1L << 32;

    private static SegmentRecord sealed(long baseOffset) {
        return new SegmentRecord(baseOffset, baseOffset + 100, 4096, 1_700_000_000_000L, baseOffset + 99,
                1_699_999_999_000L, SegmentState.SEALED);
    }

    private void givenSegments(PartitionKey partition, SegmentRecord... segments) {
        write(batch -> {
            for (SegmentRecord segment : segments) {
                store.segments().put(batch, partition, segment);
            }
        });
    }

    private static byte[] key(long baseOffset) {
        return ByteBuffer.allocate(PartitionKey.LENGTH + Long.BYTES).put(P0.prefix()).putLong(baseOffset).array();
    }

    // ---- list ----

    @Test
    void listOfAnUnknownPartitionIsEmpty() {
        assertThat(store.segments().list(P0)).isEmpty();
    }

    @Test
    void listIsOrderedByBaseOffsetNumericallyAcross2To31And2To32() {
        givenSegments(P0, sealed(TWO_32), sealed(TWO_31 - 1), sealed(1L << 40), sealed(0), sealed(TWO_32 - 1),
                sealed(TWO_31), sealed(255), sealed(256));

        assertThat(store.segments().list(P0)).extracting(SegmentRecord::baseOffset)
                .containsExactly(0L, 255L, 256L, TWO_31 - 1, TWO_31, TWO_32 - 1, TWO_32, 1L << 40);
    }

    @Test
    void putOfAnExistingBaseOffsetReplacesTheRecord() {
        SegmentRecord active = new SegmentRecord(0, 0, 0, -1, -1, 5, SegmentState.ACTIVE);
        givenSegments(P0, active);

        givenSegments(P0, sealed(0));

        assertThat(store.segments().list(P0)).containsExactly(sealed(0));
    }

    // ---- floor ----

    @Test
    void floorOfABaseOffsetIsThatSegment() {
        givenSegments(P0, sealed(0), sealed(100), sealed(200));

        assertThat(store.segments().floor(P0, 100)).contains(sealed(100));
    }

    @Test
    void floorInsideASegmentIsTheSegmentHoldingTheOffset() {
        givenSegments(P0, sealed(0), sealed(100), sealed(200));

        assertThat(store.segments().floor(P0, 199)).contains(sealed(100));
    }

    @Test
    void floorBelowTheFirstSegmentIsEmpty() {
        givenSegments(P0, sealed(100), sealed(200));

        assertThat(store.segments().floor(P0, 99)).isEmpty();
    }

    @Test
    void floorPastTheLastSegmentIsTheLastSegment() {
        givenSegments(P0, sealed(0), sealed(100));

        assertThat(store.segments().floor(P0, Long.MAX_VALUE)).contains(sealed(100));
    }

    @Test
    void floorJustBelow2To32PicksTheSegmentAt2To31() {
        givenSegments(P0, sealed(TWO_31), sealed(TWO_32));

        assertThat(store.segments().floor(P0, TWO_32 - 1)).contains(sealed(TWO_31));
    }

    // ---- delete ----

    @Test
    void deleteRemovesOnlyTheNamedSegment() {
        givenSegments(P0, sealed(0), sealed(100), sealed(200));

        write(batch -> store.segments().delete(batch, P0, 100));

        assertThat(store.segments().list(P0)).containsExactly(sealed(0), sealed(200));
    }

    @Test
    void deleteOfAnUnknownBaseOffsetChangesNothing() {
        givenSegments(P0, sealed(0));

        write(batch -> store.segments().delete(batch, P0, 50));

        assertThat(store.segments().list(P0)).containsExactly(sealed(0));
    }

    @Test
    void deleteDoesNotTouchTheSameBaseOffsetInAnotherPartition() {
        givenSegments(P0, sealed(0));
        givenSegments(P1, sealed(0));

        write(batch -> store.segments().delete(batch, P0, 0));

        assertThat(store.segments().list(P1)).containsExactly(sealed(0));
    }

    @Test
    void deletePartitionRemovesEverySegmentOfThePartition() {
        givenSegments(P0, sealed(0), sealed(TWO_32));

        write(batch -> store.segments().deletePartition(batch, P0));

        assertThat(store.segments().list(P0)).isEmpty();
    }

    // ---- encoding ----

    @Test
    void encodeThenDecodeKeepsEveryField() {
        SegmentRecord segment = new SegmentRecord(TWO_32 + 1, TWO_32 + 2001, 3_000_000_000L, -7_000_000_000L,
                TWO_32 + 1999, 1_700_000_001_000L, SegmentState.ACTIVE);

        SegmentRecord decoded = SegmentCatalog.decode(key(TWO_32 + 1), SegmentCatalog.encode(segment));

        assertThat(decoded).isEqualTo(segment);
    }

    @Test
    void encodeThenDecodeKeepsTheEmptySegmentMarkers() {
        SegmentRecord empty = new SegmentRecord(500, 500, 0, -1, -1, 0, SegmentState.SEALED);

        SegmentRecord decoded = SegmentCatalog.decode(key(500), SegmentCatalog.encode(empty));

        assertThat(decoded).isEqualTo(empty);
        assertThat(decoded.isEmpty()).isTrue();
    }

    @Test
    void encodeMatchesTheDocumentedExample() {
        SegmentRecord segment = new SegmentRecord(0, 1000, 1_048_576, 1_700_000_000_000L, 998, 1_700_000_001_000L,
                SegmentState.SEALED);

        byte[] value = SegmentCatalog.encode(segment);

        assertThat(HEX.formatHex(value)).isEqualTo("01" + "01" + "00000000000003E8" + "0000000000100000"
                + "0000018BCFE56800" + "00000000000003E6" + "0000018BCFE56BE8");
        assertThat(value).hasSize(42);
    }

    @Test
    void decodeTakesTheBaseOffsetFromTheKey() {
        byte[] value = SegmentCatalog.encode(sealed(0));

        SegmentRecord decoded = SegmentCatalog.decode(key(777), value);

        assertThat(decoded.baseOffset()).isEqualTo(777);
    }

    @Test
    void decodeRejectsAnUnknownVersion() {
        byte[] value = SegmentCatalog.encode(sealed(0));
        value[0] = 2;

        assertThatThrownBy(() -> SegmentCatalog.decode(key(0), value))
                .isInstanceOf(IndexStoreException.class)
                .hasMessageContaining("version 2");
    }

    @Test
    void decodeRejectsAnUnknownStateCode() {
        byte[] value = SegmentCatalog.encode(sealed(0));
        value[1] = 9;

        assertThatThrownBy(() -> SegmentCatalog.decode(key(0), value))
                .isInstanceOf(IndexStoreException.class)
                .hasMessageContaining("9");
    }

    @Test
    void segmentIsStoredUnderPrefixAndBigEndianBaseOffset() {
        givenSegments(P0, sealed(TWO_32));

        assertThat(rawEntries(RocksDbIndexStore.CF_SEGMENTS)).containsExactly(
                entry(HEX.formatHex(P0.prefix()) + "0000000100000000", HEX.formatHex(SegmentCatalog.encode(sealed(TWO_32)))));
    }

    @Test
    void segmentsSurviveReopen() {
        givenSegments(P0, sealed(0), sealed(TWO_32));

        reopen();

        assertThat(store.segments().list(P0)).containsExactly(sealed(0), sealed(TWO_32));
    }

    // ---- SegmentRecord / SegmentState ----

    @Test
    void segmentWithNextOffsetAboveBaseIsNotEmpty() {
        assertThat(sealed(0).isEmpty()).isFalse();
    }

    @Test
    void withStateChangesOnlyTheState() {
        SegmentRecord active = sealed(0).withState(SegmentState.ACTIVE);

        assertThat(active.state()).isEqualTo(SegmentState.ACTIVE);
        assertThat(active.withState(SegmentState.SEALED)).isEqualTo(sealed(0));
    }

    @Test
    void stateCodesAreStable() {
        assertThat(SegmentState.ACTIVE.code()).isEqualTo((byte) 0);
        assertThat(SegmentState.SEALED.code()).isEqualTo((byte) 1);
        assertThat(SegmentState.fromCode((byte) 0)).isEqualTo(SegmentState.ACTIVE);
        assertThat(SegmentState.fromCode((byte) 1)).isEqualTo(SegmentState.SEALED);
    }

    @Test
    void fromCodeRejectsAnUnknownCode() {
        assertThatThrownBy(() -> SegmentState.fromCode((byte) -1))
                .isInstanceOf(IndexStoreException.class)
                .hasMessageContaining("-1");
    }
}
