package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeIndexTest extends IndexStoreTestSupport {

    private void givenEntries(PartitionKey partition, TimeEntry... entries) {
        write(batch -> {
            for (TimeEntry e : entries) {
                store.timeIndex().put(batch, partition, e.maxTimestamp(), e.offset());
            }
        });
    }

    private void givenEntries(TimeEntry... entries) {
        givenEntries(P0, entries);
    }

    private static TimeEntry at(long maxTimestamp, long offset) {
        return new TimeEntry(maxTimestamp, offset);
    }

    /** Every entry of the partition in key order, read through the shared scan. */
    private List<TimeEntry> allEntries(PartitionKey partition) {
        return store.timeIndex().scan(partition.prefix(), (key, value) -> {
            ByteBuffer k = ByteBuffer.wrap(key, PartitionKey.LENGTH, 2 * Long.BYTES);
            return new TimeEntry(Keys.getOrderedLong(k), k.getLong());
        });
    }

    /**
     * A log whose running max timestamp stalls at 100 for three index entries:
     * offsets 0..9 max 100, 10..19 max 90, 20..29 max 95, 30..39 max 150, 40..49 max 200.
     */
    private void givenStalledLog() {
        givenEntries(at(100, 9), at(100, 19), at(100, 29), at(150, 39), at(200, 49));
    }

    // ---- lastBefore ----

    @Test
    void lastBeforeIsStrictlyBeforeTheTarget() {
        givenEntries(at(10, 0), at(20, 5), at(30, 9));

        assertThat(store.timeIndex().lastBefore(P0, 30)).contains(at(20, 5));
    }

    @Test
    void lastBeforeAboveAnEntryReturnsThatEntry() {
        givenEntries(at(10, 0), at(20, 5), at(30, 9));

        assertThat(store.timeIndex().lastBefore(P0, 31)).contains(at(30, 9));
    }

    @Test
    void lastBeforeTheFirstTimestampIsEmpty() {
        givenEntries(at(10, 0), at(20, 5));

        assertThat(store.timeIndex().lastBefore(P0, 10)).isEmpty();
    }

    @Test
    void lastBeforeOnAStalledTimestampReturnsTheGreatestOffsetSharingIt() {
        givenStalledLog();

        assertThat(store.timeIndex().lastBefore(P0, 101)).contains(at(100, 29));
    }

    @Test
    void lastBeforeTheTimestampAfterAStallReturnsTheLastStalledEntry() {
        givenStalledLog();

        assertThat(store.timeIndex().lastBefore(P0, 150)).contains(at(100, 29));
    }

    @Test
    void lastBeforeTheStalledTimestampItselfSkipsEveryEntrySharingIt() {
        givenStalledLog();

        assertThat(store.timeIndex().lastBefore(P0, 100)).isEmpty();
    }

    @Test
    void lastBeforeZeroFindsEntriesWithTimestampMinusOne() {
        givenEntries(at(-1, 4), at(-1, 9), at(50, 19));

        assertThat(store.timeIndex().lastBefore(P0, 0)).contains(at(-1, 9));
    }

    @Test
    void lastBeforeMinusOneExcludesEntriesAtMinusOne() {
        givenEntries(at(-1, 4), at(-1, 9), at(50, 19));

        assertThat(store.timeIndex().lastBefore(P0, -1)).isEmpty();
    }

    @Test
    void negativeTimestampsSortBeforePositiveOnes() {
        givenEntries(at(3, 30), at(-5, 10), at(-1, 20));

        assertThat(store.timeIndex().lastBefore(P0, -1)).contains(at(-5, 10));
        assertThat(store.timeIndex().lastBefore(P0, 0)).contains(at(-1, 20));
        assertThat(store.timeIndex().lastBefore(P0, 4)).contains(at(3, 30));
    }

    @Test
    void lastBeforeLongMinValueIsAlwaysEmpty() {
        givenEntries(at(Long.MIN_VALUE, 0), at(Long.MIN_VALUE, 5));

        assertThat(store.timeIndex().lastBefore(P0, Long.MIN_VALUE)).isEmpty();
    }

    @Test
    void lastBeforeJustAboveLongMinValueFindsEntriesAtLongMinValue() {
        givenEntries(at(Long.MIN_VALUE, 0), at(Long.MIN_VALUE, 5), at(0, 9));

        assertThat(store.timeIndex().lastBefore(P0, Long.MIN_VALUE + 1)).contains(at(Long.MIN_VALUE, 5));
    }

    @Test
    void lastBeforeLongMaxValueExcludesEntriesAtLongMaxValue() {
        givenEntries(at(5, 0), at(Long.MAX_VALUE, 9));

        assertThat(store.timeIndex().lastBefore(P0, Long.MAX_VALUE)).contains(at(5, 0));
    }

    @Test
    void lastBeforeLongMaxValueFindsEntriesJustBelowIt() {
        givenEntries(at(Long.MAX_VALUE - 1, 3), at(Long.MAX_VALUE - 1, Long.MAX_VALUE));

        assertThat(store.timeIndex().lastBefore(P0, Long.MAX_VALUE)).contains(at(Long.MAX_VALUE - 1, Long.MAX_VALUE));
    }

    @Test
    void lastBeforeOnAnEmptyPartitionIsEmpty() {
        assertThat(store.timeIndex().lastBefore(P0, Long.MAX_VALUE)).isEmpty();
    }

    // ---- firstAtOrAfter ----

    @Test
    void firstAtOrAfterAnExactTimestampReturnsItsLowestOffset() {
        givenStalledLog();

        assertThat(store.timeIndex().firstAtOrAfter(P0, 100)).contains(at(100, 9));
    }

    @Test
    void firstAtOrAfterBetweenTimestampsReturnsTheNextEntry() {
        givenStalledLog();

        assertThat(store.timeIndex().firstAtOrAfter(P0, 101)).contains(at(150, 39));
    }

    @Test
    void firstAtOrAfterTheNewestTimestampPlusOneIsEmpty() {
        givenStalledLog();

        assertThat(store.timeIndex().firstAtOrAfter(P0, 201)).isEmpty();
    }

    @Test
    void firstAtOrAfterLongMinValueIsTheOldestEntry() {
        givenEntries(at(-1, 3), at(7, 8));

        assertThat(store.timeIndex().firstAtOrAfter(P0, Long.MIN_VALUE)).contains(at(-1, 3));
    }

    @Test
    void firstAtOrAfterMinusOneFindsEntriesAtMinusOne() {
        givenEntries(at(-5, 1), at(-1, 3), at(7, 8));

        assertThat(store.timeIndex().firstAtOrAfter(P0, -1)).contains(at(-1, 3));
    }

    @Test
    void firstAtOrAfterLongMaxValueFindsAnEntryAtLongMaxValue() {
        givenEntries(at(5, 0), at(Long.MAX_VALUE, 0));

        assertThat(store.timeIndex().firstAtOrAfter(P0, Long.MAX_VALUE)).contains(at(Long.MAX_VALUE, 0));
    }

    // ---- last ----

    @Test
    void lastIsTheEntryWithTheGreatestTimestampAndOffset() {
        givenStalledLog();

        assertThat(store.timeIndex().last(P0)).contains(at(200, 49));
    }

    @Test
    void lastAmongStalledEntriesIsTheGreatestOffset() {
        givenEntries(at(100, 9), at(100, 19));

        assertThat(store.timeIndex().last(P0)).contains(at(100, 19));
    }

    @Test
    void lastFindsAnEntryAtLongMaxValueTimestampAndOffset() {
        givenEntries(at(5, 0), at(Long.MAX_VALUE, Long.MAX_VALUE));

        assertThat(store.timeIndex().last(P0)).contains(at(Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void lastOfAnEmptyPartitionIsEmpty() {
        assertThat(store.timeIndex().last(P0)).isEmpty();
    }

    // ---- lastBelowOffset ----

    @Test
    void lastBelowOffsetInsideAStallIsTheStalledEntryBelowIt() {
        givenStalledLog();

        assertThat(store.timeIndex().lastBelowOffset(P0, 20)).contains(at(100, 19));
    }

    @Test
    void lastBelowOffsetPastTheEndIsTheNewestEntry() {
        givenStalledLog();

        assertThat(store.timeIndex().lastBelowOffset(P0, Long.MAX_VALUE)).contains(at(200, 49));
    }

    @Test
    void lastBelowOffsetAtOrBelowTheFirstEntryIsEmpty() {
        givenStalledLog();
        givenEntries(P1, at(1, 0));

        assertThat(store.timeIndex().lastBelowOffset(P0, 9)).isEmpty();
    }

    // ---- deleteFrom ----

    @Test
    void deleteFromInsideAStallKeepsTheStalledEntriesBelowTheTruncationPoint() {
        givenStalledLog();

        write(batch -> store.timeIndex().deleteFrom(batch, P0, 20));

        assertThat(allEntries(P0)).containsExactly(at(100, 9), at(100, 19));
    }

    @Test
    void deleteFromAtANewTimestampKeepsEverythingBelow() {
        givenStalledLog();

        write(batch -> store.timeIndex().deleteFrom(batch, P0, 40));

        assertThat(allEntries(P0)).containsExactly(at(100, 9), at(100, 19), at(100, 29), at(150, 39));
    }

    @Test
    void deleteFromTheStartWithNoRecordsBelowRemovesEverything() {
        givenStalledLog();

        write(batch -> store.timeIndex().deleteFrom(batch, P0, 0));

        assertThat(allEntries(P0)).isEmpty();
    }

    @Test
    void deleteFromAboveTheLastEntryRemovesNothing() {
        givenStalledLog();

        write(batch -> store.timeIndex().deleteFrom(batch, P0, 50));

        assertThat(allEntries(P0)).hasSize(5);
    }

    @Test
    void deleteFromWithNegativeTimestampsKeepsEntriesBelow() {
        givenEntries(at(-1, 4), at(-1, 9), at(50, 19));

        write(batch -> store.timeIndex().deleteFrom(batch, P0, 5));

        assertThat(allEntries(P0)).containsExactly(at(-1, 4));
    }

    // ---- deleteBelow ----

    @Test
    void deleteBelowInsideAStallKeepsTheStalledEntriesAtOrAboveTheBoundary() {
        givenStalledLog();

        write(batch -> store.timeIndex().deleteBelow(batch, P0, 20));

        assertThat(allEntries(P0)).containsExactly(at(100, 29), at(150, 39), at(200, 49));
    }

    @Test
    void deleteBelowAtANewTimestampRemovesEverythingBelow() {
        givenStalledLog();

        write(batch -> store.timeIndex().deleteBelow(batch, P0, 40));

        assertThat(allEntries(P0)).containsExactly(at(200, 49));
    }

    @Test
    void deleteBelowZeroWithNoRecordsBelowRemovesNothing() {
        givenStalledLog();

        write(batch -> store.timeIndex().deleteBelow(batch, P0, 0));

        assertThat(allEntries(P0)).hasSize(5);
    }

    @Test
    void deleteBelowPastTheLastEntryRemovesEverything() {
        givenStalledLog();

        write(batch -> store.timeIndex().deleteBelow(batch, P0, 50));

        assertThat(allEntries(P0)).isEmpty();
    }

    @Test
    void deletePartitionRemovesEveryEntryOfThePartitionOnly() {
        givenStalledLog();
        givenEntries(P1, at(100, 9));

        write(batch -> store.timeIndex().deletePartition(batch, P0));

        assertThat(allEntries(P0)).isEmpty();
        assertThat(allEntries(P1)).containsExactly(at(100, 9));
    }

    // ---- layout ----

    @Test
    void entryIsStoredAsDocumented() {
        givenEntries(at(1_700_000_000_000L, 41));

        assertThat(rawEntries(RocksDbIndexStore.CF_TIME_INDEX)).containsExactly(
                entry(HEX.formatHex(P0.prefix()) + "8000018BCFE56800" + "0000000000000029", ""));
    }
}
