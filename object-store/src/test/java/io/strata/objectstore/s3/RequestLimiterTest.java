package io.strata.objectstore.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RequestLimiterTest {
    private final RequestLimiter limiter = new RequestLimiter(2);
    private final List<CompletableFuture<String>> started = new ArrayList<>();

    @Test
    void callsBeyondTheLimitWaitAndStartInOrderAsSlotsFree() {
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(limiter.submit(this::startCall));
        }
        assertThat(started).hasSize(2);
        assertThat(limiter.queued()).isEqualTo(2);

        started.get(0).complete("a");

        assertThat(results.get(0)).isCompletedWithValue("a");
        assertThat(started).hasSize(3);
        assertThat(limiter.queued()).isEqualTo(1);
    }

    @Test
    void aFailedOrThrowingCallFreesItsSlot() {
        CompletableFuture<String> throwing = limiter.submit(() -> {
            throw new IllegalStateException("boom");
        });
        CompletableFuture<String> first = limiter.submit(this::startCall);
        CompletableFuture<String> second = limiter.submit(this::startCall);
        started.get(0).completeExceptionally(new IllegalStateException("failed"));
        CompletableFuture<String> third = limiter.submit(this::startCall);

        assertThat(throwing).isCompletedExceptionally();
        assertThat(first).isCompletedExceptionally();
        assertThat(second).isNotDone();
        assertThat(started).hasSize(3);
        assertThat(third).isNotDone();
        assertThat(limiter.queued()).isZero();
    }

    private CompletableFuture<String> startCall() {
        CompletableFuture<String> call = new CompletableFuture<>();
        started.add(call);
        return call;
    }
}
