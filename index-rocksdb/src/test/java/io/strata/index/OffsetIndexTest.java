package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

class OffsetIndexTest extends IndexStoreTestSupport {

    private static final long TWO_31 = 1L << 31;
    private static final long TWO_32 = 1L << 32;

    private void givenEntries(long... offsets) {
        write(batch -> {
            for (long offset : offsets) {
                store.offsetIndex().put(batch, P0, offset, offset / 1000 * 1000, (int) (offset % 1000));
            }
        });
    }

    private static OffsetPosition indexed(long offset) {
        return new OffsetPosition(offset, offset / 1000 * 1000, (int) (offset % 1000));
    }

    @Test
    void floorOfAnIndexedOffsetIsThatEntry() {
        givenEntries(100, 200, 300);

        assertThat(store.offsetIndex().floor(P0, 200)).contains(indexed(200));
    }

    @Test
    void floorBetweenEntriesIsTheLowerEntry() {
        givenEntries(100, 200, 300);

        assertThat(store.offsetIndex().floor(P0, 299)).contains(indexed(200));
    }

    @Test
    void floorBelowTheFirstEntryIsEmpty() {
        givenEntries(100, 200, 300);

        assertThat(store.offsetIndex().floor(P0, 99)).isEmpty();
    }

    @Test
    void floorAboveTheLastEntryIsTheLastEntry() {
        givenEntries(100, 200, 300);

        assertThat(store.offsetIndex().floor(P0, Long.MAX_VALUE)).contains(indexed(300));
    }

    @Test
    void ceilingOfAnIndexedOffsetIsThatEntry() {
        givenEntries(100, 200, 300);

        assertThat(store.offsetIndex().ceiling(P0, 200)).contains(indexed(200));
    }

    @Test
    void ceilingBetweenEntriesIsTheHigherEntry() {
        givenEntries(100, 200, 300);

        assertThat(store.offsetIndex().ceiling(P0, 101)).contains(indexed(200));
    }

    @Test
    void ceilingBelowTheFirstEntryIsTheFirstEntry() {
        givenEntries(100, 200, 300);

        assertThat(store.offsetIndex().ceiling(P0, 0)).contains(indexed(100));
    }

    @Test
    void ceilingAboveTheLastEntryIsEmpty() {
        givenEntries(100, 200, 300);

        assertThat(store.offsetIndex().ceiling(P0, 301)).isEmpty();
    }

    @Test
    void lookupsOnAnEmptyIndexAreEmpty() {
        assertThat(store.offsetIndex().floor(P0, 100)).isEmpty();
        assertThat(store.offsetIndex().ceiling(P0, 100)).isEmpty();
    }

    @Test
    void offsetsAbove2To31And2To32SortNumerically() {
        givenEntries(TWO_32 + 1, TWO_31 - 1, TWO_32 - 1, TWO_31, 5);

        assertThat(store.offsetIndex().floor(P0, TWO_32)).contains(indexed(TWO_32 - 1));
        assertThat(store.offsetIndex().ceiling(P0, TWO_31 - 1 + 1)).contains(indexed(TWO_31));
        assertThat(store.offsetIndex().ceiling(P0, TWO_32)).contains(indexed(TWO_32 + 1));
        assertThat(store.offsetIndex().floor(P0, TWO_31 - 2)).contains(indexed(5));
    }

    @Test
    void entryValueRoundTripsLargeSegmentBaseOffsetAndPosition() {
        write(batch -> store.offsetIndex().put(batch, P0, 5_000_000_000L, 4_999_000_000L, Integer.MAX_VALUE));

        assertThat(store.offsetIndex().floor(P0, 5_000_000_000L))
                .contains(new OffsetPosition(5_000_000_000L, 4_999_000_000L, Integer.MAX_VALUE));
    }

    @Test
    void putOfAnExistingOffsetReplacesItsPosition() {
        write(batch -> store.offsetIndex().put(batch, P0, 100, 0, 1));

        write(batch -> store.offsetIndex().put(batch, P0, 100, 100, 0));

        assertThat(store.offsetIndex().floor(P0, 100)).contains(new OffsetPosition(100, 100, 0));
    }

    @Test
    void entriesAreInvisibleUntilTheBatchCommits() {
        try (IndexBatch batch = store.newBatch()) {
            store.offsetIndex().put(batch, P0, 100, 0, 1);

            assertThat(store.offsetIndex().floor(P0, 100)).isEmpty();

            batch.commit(false);
        }
        assertThat(store.offsetIndex().floor(P0, 100)).contains(new OffsetPosition(100, 0, 1));
    }

    @Test
    void deleteFromRemovesTheBoundaryEntryAndEverythingAbove() {
        givenEntries(100, 200, 300, TWO_32);

        write(batch -> store.offsetIndex().deleteFrom(batch, P0, 200));

        assertThat(store.offsetIndex().ceiling(P0, 0)).contains(indexed(100));
        assertThat(store.offsetIndex().ceiling(P0, 101)).isEmpty();
    }

    @Test
    void deleteFromBetweenEntriesKeepsTheLowerEntry() {
        givenEntries(100, 200, 300);

        write(batch -> store.offsetIndex().deleteFrom(batch, P0, 201));

        assertThat(store.offsetIndex().floor(P0, Long.MAX_VALUE)).contains(indexed(200));
    }

    @Test
    void deleteFromZeroEmptiesThePartition() {
        givenEntries(0, 100, TWO_32);

        write(batch -> store.offsetIndex().deleteFrom(batch, P0, 0));

        assertThat(store.offsetIndex().ceiling(P0, 0)).isEmpty();
    }

    @Test
    void deleteFromAboveTheLastEntryRemovesNothing() {
        givenEntries(100, 200);

        write(batch -> store.offsetIndex().deleteFrom(batch, P0, 201));

        assertThat(store.offsetIndex().floor(P0, Long.MAX_VALUE)).contains(indexed(200));
        assertThat(store.offsetIndex().ceiling(P0, 0)).contains(indexed(100));
    }

    @Test
    void deleteBelowRemovesEverythingUnderTheBoundaryButKeepsTheBoundaryEntry() {
        givenEntries(100, 200, 300);

        write(batch -> store.offsetIndex().deleteBelow(batch, P0, 200));

        assertThat(store.offsetIndex().floor(P0, 199)).isEmpty();
        assertThat(store.offsetIndex().ceiling(P0, 0)).contains(indexed(200));
    }

    @Test
    void deleteBelowZeroRemovesNothing() {
        givenEntries(0, 100);

        write(batch -> store.offsetIndex().deleteBelow(batch, P0, 0));

        assertThat(store.offsetIndex().ceiling(P0, 0)).contains(indexed(0));
    }

    @Test
    void deleteBelowAcross2To32KeepsHigherEntries() {
        givenEntries(TWO_31, TWO_32 - 1, TWO_32, TWO_32 + 1);

        write(batch -> store.offsetIndex().deleteBelow(batch, P0, TWO_32));

        assertThat(store.offsetIndex().ceiling(P0, 0)).contains(indexed(TWO_32));
    }

    @Test
    void deleteFromDoesNotTouchAnotherPartition() {
        write(batch -> {
            store.offsetIndex().put(batch, P0, 100, 0, 1);
            store.offsetIndex().put(batch, P1, 100, 0, 2);
        });

        write(batch -> store.offsetIndex().deleteFrom(batch, P0, 0));

        assertThat(store.offsetIndex().floor(P1, 100)).contains(new OffsetPosition(100, 0, 2));
    }

    @Test
    void entryIsStoredAsDocumented() {
        write(batch -> store.offsetIndex().put(batch, P0, 4096, 0, 1_048_576));

        assertThat(rawEntries(RocksDbIndexStore.CF_OFFSET_INDEX)).containsExactly(
                entry(
                        HEX.formatHex(P0.prefix()) + "0000000000001000",
                        "0000000000000000" + "00100000"));
    }
}
