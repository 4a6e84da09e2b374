package io.strata.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.cluster.EpochEnds.EpochEnd;
import io.strata.metadata.EpochStart;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kafka's {@code LeaderEpochFileCache.endOffsetFor} cases, over a history as the database records it. */
class EpochEndsTest {

    /** Epoch 1 from 0 (broker 1), 2 from 100 (offline), 3 from 100 (broker 1 again), 5 from 250 (broker 2). */
    private static final List<EpochStart> HISTORY = List.of(new EpochStart(5, 250, 2), new EpochStart(1, 0, 1),
            new EpochStart(2, 100, -1), new EpochStart(3, 100, 1));

    @Test
    void theLatestEpochEndsAtTheLogEnd() {
        assertThat(EpochEnds.endOffsetFor(HISTORY, 5, 0, 400)).isEqualTo(new EpochEnd(5, 400));
    }

    @Test
    void anOlderEpochEndsWhereTheNextHigherOneStarts() {
        assertThat(EpochEnds.endOffsetFor(HISTORY, 1, 0, 400)).isEqualTo(new EpochEnd(1, 100));
        assertThat(EpochEnds.endOffsetFor(HISTORY, 3, 0, 400)).isEqualTo(new EpochEnd(3, 250));
    }

    @Test
    void anEpochWithoutEntryIsAnsweredWithTheLargestEpochBelowIt() {
        assertThat(EpochEnds.endOffsetFor(HISTORY, 4, 0, 400)).isEqualTo(new EpochEnd(3, 250));
    }

    @Test
    void anEpochBeforeTheEarliestEndsWhereTheEarliestStartsButNotBelowTheLogStart() {
        assertThat(EpochEnds.endOffsetFor(HISTORY, 0, 0, 400)).isEqualTo(new EpochEnd(0, 0));
        assertThat(EpochEnds.endOffsetFor(HISTORY, 0, 30, 400)).isEqualTo(new EpochEnd(0, 30));
    }

    @Test
    void anEpochAboveTheLatestOrMinusOneIsUndefined() {
        assertThat(EpochEnds.endOffsetFor(HISTORY, 6, 0, 400)).isEqualTo(new EpochEnd(-1, -1));
        assertThat(EpochEnds.endOffsetFor(HISTORY, -1, 0, 400)).isEqualTo(new EpochEnd(-1, -1));
    }

    @Test
    void aSingleBrokerHasOneEpochFromOffsetZero() {
        List<EpochStart> single = List.of(new EpochStart(0, 0, 0));
        assertThat(EpochEnds.endOffsetFor(single, 0, 10, 50)).isEqualTo(new EpochEnd(0, 50));
        assertThat(EpochEnds.endOffsetFor(single, -3, 10, 50)).isEqualTo(new EpochEnd(-3, 10));
    }
}
