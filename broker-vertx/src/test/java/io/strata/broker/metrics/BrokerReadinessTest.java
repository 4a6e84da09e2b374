package io.strata.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrokerReadinessTest {

    private final BrokerReadiness readiness = new BrokerReadiness();

    @Test
    void readyOnlyOnceLogsListenerAndBucketAreAllThereAndNotAfterClosing() {
        assertThat(readiness.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("log manager"));
        readiness.logsOpened();
        assertThat(readiness.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("Kafka listener"));
        readiness.listenerBound();
        assertThat(readiness.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("not been checked"));

        readiness.bucketReachable();
        assertThat(readiness.notReadyReason()).isEmpty();

        readiness.closing();
        assertThat(readiness.notReadyReason()).hasValueSatisfying(r -> assertThat(r).contains("shutting down"));
    }

    @Test
    void anUnreachableBucketIsReportedWithItsReason() {
        readiness.logsOpened();
        readiness.listenerBound();

        readiness.bucketUnreachable("Connection refused");

        assertThat(readiness.notReadyReason()).hasValue("the bucket was not reachable at start-up: Connection refused");
    }

    @Test
    void aFencedBrokerIsNotReadyForGoodWithTheReason() {
        readiness.logsOpened();
        readiness.listenerBound();
        readiness.bucketReachable();

        readiness.fenced("the claim of the bucket prefix was taken over");

        assertThat(readiness.notReadyReason()).hasValue(
                "fenced, no longer writing to the bucket: the claim of the bucket prefix was taken over");
    }
}
