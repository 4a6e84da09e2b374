package io.strata.faults.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Handcrafted histories: a correct one passes, each kind of damage is counted as what it is. */
class CheckerTest {

    private static final Observation A = new Observation("p0-0", 0, 0);
    private static final Observation B = new Observation("p0-1", 0, 1);
    private static final Observation C = new Observation("p0-2", 0, 2);
    private static final Observation D = new Observation("p1-0", 1, 0);

    private static FinalLog log(Map<Integer, Long> ends, Observation... records) {
        return new FinalLog(List.of(records), Map.of(), ends);
    }

    @Test
    void aLogWithEveryAcknowledgedRecordOnceInPlacePasses() {
        Verdict verdict = Checker.check(List.of(A, B, C, D), List.of(A, B, D),
                log(Map.of(0, 3L, 1, 1L), A, B, C, D));

        assertThat(verdict.passed()).as(verdict.summary()).isTrue();
        assertThat(verdict.acknowledged()).isEqualTo(4);
        assertThat(verdict.records()).isEqualTo(4);
    }

    @Test
    void unacknowledgedRecordsInTheLogAreAllowedOnce() {
        // C's send failed (say a timeout) but the broker had written it
        Verdict verdict = Checker.check(List.of(A, B), List.of(), log(Map.of(0, 3L), A, B, C));

        assertThat(verdict.passed()).as(verdict.summary()).isTrue();
    }

    @Test
    void anAcknowledgedRecordMissingFromTheLogIsLost() {
        Observation tail = new Observation("p0-3", 0, 3);
        Verdict verdict = Checker.check(List.of(A, B, C, tail), List.of(), log(Map.of(0, 3L), A, B, C));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.lost()).isEqualTo(1);
        assertThat(verdict.examples()).anyMatch(e -> e.contains("lost") && e.contains("p0-3"));
    }

    @Test
    void aValueInTheLogTwiceIsDuplicated() {
        Observation again = new Observation("p0-1", 0, 3);
        Verdict verdict = Checker.check(List.of(A, B, C), List.of(), log(Map.of(0, 4L), A, B, C, again));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.duplicated()).isEqualTo(1);
        assertThat(verdict.lost()).isZero();
        assertThat(verdict.misplaced()).as("one copy is where the ack said").isZero();
    }

    @Test
    void anAcknowledgedRecordAtAnotherOffsetIsMisplaced() {
        // the broker acknowledged p0-2 at offset 2, but the log holds it at 1 (and p0-1 at 2)
        Verdict verdict = Checker.check(List.of(A, B, C), List.of(), log(Map.of(0, 3L),
                A, new Observation("p0-2", 0, 1), new Observation("p0-1", 0, 2)));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.misplaced()).isEqualTo(2);
        assertThat(verdict.lost()).isZero();
    }

    @Test
    void aRecordInAnotherPartitionIsMisplaced() {
        Verdict verdict = Checker.check(List.of(D), List.of(), log(Map.of(0, 1L), new Observation("p1-0", 0, 0)));

        assertThat(verdict.misplaced()).isEqualTo(1);
    }

    @Test
    void missingOffsetsBetweenRecordsAreGaps() {
        Observation afterGap = new Observation("p0-3", 0, 5);
        Verdict verdict = Checker.check(List.of(A, B, afterGap), List.of(), log(Map.of(0, 6L), A, B, afterGap));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.gaps()).isEqualTo(3);
        assertThat(verdict.lost()).isZero();
    }

    @Test
    void aLogNotStartingAtItsLogStartOffsetHasAGap() {
        Verdict verdict = Checker.check(List.of(B, C), List.of(), log(Map.of(0, 3L), B, C));

        assertThat(verdict.gaps()).isEqualTo(1);
    }

    @Test
    void recordsMissingBeforeTheEndOffsetAreGaps() {
        Verdict verdict = Checker.check(List.of(A), List.of(), log(Map.of(0, 3L, 1, 2L), A));

        assertThat(verdict.gaps()).as(verdict.summary()).isEqualTo(4);
    }

    @Test
    void recordsBelowALogStartOffsetAreNotExpected() {
        FinalLog afterRetention = new FinalLog(List.of(C), Map.of(0, 2L), Map.of(0, 3L));

        Verdict verdict = Checker.check(List.of(A, B, C), List.of(A), afterRetention);

        assertThat(verdict.passed()).as(verdict.summary()).isTrue();
    }

    @Test
    void aRecordAConsumerSawThatIsGoneWasRolledBack() {
        // a consumer read p0-2 at offset 2, the broker lost it (unacknowledged) and the log now ends at 2
        Verdict verdict = Checker.check(List.of(A, B), List.of(A, B, C), log(Map.of(0, 2L), A, B));

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.rolledBack()).isEqualTo(1);
        assertThat(verdict.lost()).isZero();
    }

    @Test
    void anOffsetReusedForAnotherValueAfterAConsumerSawItIsARollback() {
        Observation other = new Observation("p1-9", 0, 2);
        Verdict verdict = Checker.check(List.of(A, B), List.of(C), log(Map.of(0, 3L), A, B, other));

        assertThat(verdict.rolledBack()).isEqualTo(1);
        assertThat(verdict.examples()).anyMatch(e -> e.contains("rolled back") && e.contains("p1-9"));
    }

    @Test
    void countsAddUpOverManyFaultsAndExamplesAreBounded() {
        List<Observation> acknowledged = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            acknowledged.add(new Observation("p0-" + i, 0, i));
        }
        Verdict verdict = Checker.check(acknowledged, List.of(), log(Map.of(0, 0L)));

        assertThat(verdict.lost()).isEqualTo(50);
        assertThat(verdict.examples()).hasSize(10);
    }

    @Test
    void historyCollectsReportsFromManyThreads() throws InterruptedException {
        History history = new History();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int producer = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 1000; i++) {
                    history.acknowledged("p" + producer + "-" + i, producer, i);
                    history.seen("p" + producer + "-" + i, producer, i);
                }
                history.failed(new IllegalStateException("x"));
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(history.acknowledged()).hasSize(4000);
        assertThat(history.acknowledgedCount()).isEqualTo(4000);
        assertThat(history.seen()).hasSize(4000);
        assertThat(history.failures()).containsEntry("IllegalStateException", 4L);
    }

    @Test
    void onlyFailedSendsWithAnErrorKafkaCallsRetriableAreTolerated() {
        History history = new History();
        history.failed(new org.apache.kafka.common.errors.TimeoutException("delivery timeout"));
        history.failed(new org.apache.kafka.common.errors.NotLeaderOrFollowerException("moved"));
        history.failed(new org.apache.kafka.common.errors.OutOfOrderSequenceException("state lost"));

        assertThat(history.failedCount()).isEqualTo(3);
        assertThat(history.failedNotRetriable()).isEqualTo(1);
    }

    @Test
    void eachPartitionsLatestAcknowledgementIsKnown() {
        History history = new History();
        long before = System.nanoTime();
        history.acknowledged("p0-0", 0, 0);

        assertThat(history.lastAcknowledgedNanos(0)).isGreaterThanOrEqualTo(before);
        assertThat(history.lastAcknowledgedNanos(1)).isEqualTo(-1);
    }
}
