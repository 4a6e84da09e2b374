package io.strata.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RequestMetrics metrics = new RequestMetrics(registry, List.of(ApiKeys.PRODUCE, ApiKeys.FETCH));

    @Test
    void eachAnsweredRequestIsCountedAndTimedUnderItsApi() {
        metrics.completed(ApiKeys.PRODUCE, TimeUnit.MILLISECONDS.toNanos(3), Errors.NONE);
        metrics.completed(ApiKeys.PRODUCE, TimeUnit.MILLISECONDS.toNanos(5), Errors.NONE);

        assertThat(registry.get(RequestMetrics.REQUESTS).tag("request", "Produce").counter().count()).isEqualTo(2);
        assertThat(registry.get(RequestMetrics.TOTAL_TIME).tag("request", "Produce").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(8);
        assertThat(registry.get(RequestMetrics.REQUESTS).tag("request", "Fetch").counter().count()).isZero();
        assertThat(registry.find(RequestMetrics.ERRORS).counters()).isEmpty();
    }

    @Test
    void aFailedRequestIsCountedUnderItsApiAndError() {
        metrics.completed(ApiKeys.FETCH, 1_000, Errors.KAFKA_STORAGE_ERROR);
        metrics.completed(ApiKeys.FETCH, 1_000, Errors.KAFKA_STORAGE_ERROR);

        assertThat(registry.get(RequestMetrics.ERRORS).tag("request", "Fetch").tag("error", "KAFKA_STORAGE_ERROR")
                .counter().count()).isEqualTo(2);
        assertThat(registry.get(RequestMetrics.REQUESTS).tag("request", "Fetch").counter().count()).isEqualTo(2);
    }
}
