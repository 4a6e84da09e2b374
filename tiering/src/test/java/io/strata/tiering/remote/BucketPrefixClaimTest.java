package io.strata.tiering.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.tiering.testing.InMemoryObjectStore;
import io.strata.tiering.testing.MutableClock;
import io.strata.objectstore.PutCondition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The claim of a bucket prefix: one live holder at a time, takeover of an expired claim with the next
 * generation, fencing of the old holder, and a lapse that stops writes until a renewal succeeds. Renewals
 * are run by the test ({@code renewNow}) against an injected clock.
 */
class BucketPrefixClaimTest {

    private static final Duration TTL = Duration.ofMinutes(30);
    private static final Duration RENEW = Duration.ofMinutes(10);

    final MutableClock clock = new MutableClock();
    final InMemoryObjectStore bucket = new InMemoryObjectStore();
    final List<BucketPrefixClaim> claims = new ArrayList<>();

    @AfterEach
    void closeAll() {
        claims.forEach(BucketPrefixClaim::close);
    }

    private BucketPrefixClaim acquire(String owner, String holder) {
        BucketPrefixClaim claim = BucketPrefixClaim.acquire(bucket, owner, holder, "strata/t1/", TTL, RENEW, clock);
        claims.add(claim);
        return claim;
    }

    private BucketPrefixClaim.Claim stored() {
        return BucketPrefixClaim.Claim.fromJson(bucket.bytes(BucketPrefixClaim.KEY).orElseThrow());
    }

    @Test
    void aSecondBrokerIsRefusedWhileTheClaimIsLiveWithTheHolderAndExpiryInOneLine() {
        BucketPrefixClaim first = acquire("writer-a", "broker 1 on host a, pid 11");

        assertThatThrownBy(() -> acquire("writer-b", "broker 2 on host b, pid 22"))
                .isInstanceOf(PrefixClaimedException.class)
                .hasMessageContaining("strata/t1/ is claimed by broker 1 on host a, pid 11")
                .hasMessageContaining("until " + clock.instant().plus(TTL))
                .hasMessageNotContaining("\n");
        assertThat(first.generation()).isEqualTo(1);
        assertThat(first.writable()).isTrue();
        assertThat(stored().owner()).isEqualTo("writer-a");
    }

    @Test
    void anExpiredClaimIsTakenOverWithTheNextGenerationAndTheOldHolderIsFencedAtItsNextRenewal() {
        BucketPrefixClaim first = acquire("writer-a", "broker 1 on host a, pid 11");
        clock.advance(TTL.plusMillis(1));
        assertThat(first.writable()).as("not renewed in time").isFalse();

        BucketPrefixClaim second = acquire("writer-b", "broker 2 on host b, pid 22");
        first.renewNow();

        assertThat(second.generation()).isEqualTo(2);
        assertThat(second.writable()).isTrue();
        assertThat(first.fencedReason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("taken over", "broker 2 on host b, pid 22", "generation 2"));
        assertThat(stored().owner()).isEqualTo("writer-b");
        assertThat(stored().generation()).isEqualTo(2);
    }

    @Test
    void aRestartOfTheSameWriterTakesItsOwnClaimOverAtOnce() {
        acquire("writer-a", "broker 1 on host a, pid 11"); // then killed: never released

        BucketPrefixClaim restarted = acquire("writer-a", "broker 1 on host a, pid 12");

        assertThat(restarted.generation()).isEqualTo(2);
        assertThat(restarted.writable()).isTrue();
    }

    @Test
    void aReleasedClaimIsTakenOverAtOnce() {
        BucketPrefixClaim first = acquire("writer-a", "broker 1 on host a, pid 11");
        first.close();
        clock.advanceMs(1);

        BucketPrefixClaim second = acquire("writer-b", "broker 2 on host b, pid 22");

        assertThat(second.generation()).isEqualTo(2);
        assertThat(first.fencedReason()).isEmpty();
    }

    @Test
    void aClaimNotRenewedInTimeStopsWritesUntilARenewalSucceedsAndTheClaimRunsLonger() {
        BucketPrefixClaim claim = acquire("writer-a", "broker 1 on host a, pid 11");
        bucket.setDown(true);
        clock.advance(RENEW);
        claim.renewNow();
        assertThat(claim.writable()).as("within ttl - renew interval of the last renewal").isTrue();

        clock.advance(RENEW.plusMillis(1));
        claim.renewNow();
        assertThat(claim.writable()).as("lapsed, renew interval before another broker may take over").isFalse();
        assertThatThrownBy(claim::checkWritable).isInstanceOf(WriterFencedException.class)
                .hasMessageContaining("not renewed in time");

        bucket.setDown(false);
        claim.renewNow();
        assertThat(claim.writable()).isTrue();
        assertThat(claim.fencedReason()).isEmpty();
        assertThat(stored().expiry()).isEqualTo(clock.instant().plus(TTL));
        assertThat(Instant.parse(stored().renewedAt())).isEqualTo(clock.instant());
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRenewalWhoseRequestNeverAnswersIsAbandonedAfterTheRenewalIntervalSoTheNextOneFindsTheTakeover() {
        Duration renew = Duration.ofSeconds(1);
        BucketPrefixClaim claim = BucketPrefixClaim.acquire(bucket, "writer-a", "broker 1 on host a, pid 11",
                "strata/t1/", renew.multipliedBy(3), renew, clock);
        claims.add(claim);

        // A renewal whose PUT never answers gives up after the renewal interval instead of blocking the thread
        bucket.setHangingPuts(true);
        long start = System.nanoTime();
        claim.renewNow();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(renew.multipliedBy(5));
        assertThat(claim.fencedReason()).isEmpty();

        // So the next renewal runs, and finds that another broker took the prefix over
        bucket.setHangingPuts(false);
        bucket.put(BucketPrefixClaim.KEY, ("{\"version\":1,\"owner\":\"writer-b\",\"holder\":\"broker 2\",\"generation\":2,"
                + "\"renewedAt\":\"2026-01-01T00:00:00Z\",\"expiresAt\":\"2999-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8),
                PutCondition.NONE).join();
        claim.renewNow();
        assertThat(claim.fencedReason()).hasValueSatisfying(reason -> assertThat(reason).contains("taken over", "broker 2"));
    }

    @Test
    void aBucketThatDoesNotAnswerAtStartLeavesTheClaimUntakenUntilItAnswers() {
        bucket.setDown(true);
        BucketPrefixClaim claim = acquire("writer-a", "broker 1 on host a, pid 11");
        assertThat(claim.writable()).isFalse();
        assertThatThrownBy(claim::checkWritable).hasMessageContaining("not taken yet");

        bucket.setDown(false);
        claim.renewNow();

        assertThat(claim.writable()).isTrue();
        assertThat(claim.generation()).isEqualTo(1);
        assertThat(stored().owner()).isEqualTo("writer-a");
    }

    @Test
    void aBrokerThatStartedWithoutItsBucketAndThenFindsALiveHolderIsFenced() {
        acquire("writer-a", "broker 1 on host a, pid 11");
        bucket.setDown(true);
        BucketPrefixClaim late = acquire("writer-b", "broker 2 on host b, pid 22");

        bucket.setDown(false);
        late.renewNow();

        assertThat(late.writable()).isFalse();
        assertThat(late.fencedReason()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("is claimed by broker 1 on host a, pid 11"));
        assertThat(stored().owner()).isEqualTo("writer-a");
    }
}
