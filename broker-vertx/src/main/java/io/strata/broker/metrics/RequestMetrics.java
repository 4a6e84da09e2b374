package io.strata.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.strata.broker.network.RequestObserver;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Requests per API (Kafka's {@code RequestMetrics}: {@code RequestsPerSec}, {@code TotalTimeMs} as a
 * histogram in seconds with fixed buckets from 0.5 ms to 10 s, and failed requests by error; names in
 * {@link BrokerMetrics}). The meters of every served API are created up front, so recording is an
 * {@link EnumMap} lookup and two increments. Thread-safe.
 */
final class RequestMetrics implements RequestObserver {

    static final String REQUESTS = "kafka.network.requestmetrics.requests";
    static final String TOTAL_TIME = "kafka.network.requestmetrics.total.time";
    static final String ERRORS = "kafka.network.requestmetrics.errors";

    /** Histogram bucket bounds: wide enough for long-polling fetches (up to {@code fetch.max.wait.ms}). */
    private static final Duration[] BUCKETS = {
        millis(0.5), millis(1), millis(2), millis(5), millis(10), millis(25), millis(50), millis(100),
        millis(250), millis(500), millis(1_000), millis(2_500), millis(5_000), millis(10_000)};

    private record Api(Counter requests, Timer totalTime) {
    }

    private record ErrorKey(ApiKeys api, Errors error) {
    }

    private final MeterRegistry registry;
    private final Map<ApiKeys, Api> apis = new EnumMap<>(ApiKeys.class);
    private final Map<ErrorKey, Counter> errors = new ConcurrentHashMap<>();

    RequestMetrics(MeterRegistry registry, Collection<ApiKeys> served) {
        this.registry = registry;
        for (ApiKeys api : served) {
            apis.put(api, new Api(
                    Counter.builder(REQUESTS).tag("request", api.name)
                            .description("Requests answered (Kafka RequestsPerSec)").register(registry),
                    Timer.builder(TOTAL_TIME).tag("request", api.name)
                            .description("Time from request decoded to response queued (Kafka TotalTimeMs)")
                            .serviceLevelObjectives(BUCKETS)
                            .register(registry)));
        }
    }

    @Override
    public void completed(ApiKeys api, long elapsedNanos, Errors error) {
        Api meters = apis.get(api);
        if (meters != null) {
            meters.requests().increment();
            meters.totalTime().record(elapsedNanos, TimeUnit.NANOSECONDS);
        }
        if (error != Errors.NONE) {
            errors.computeIfAbsent(new ErrorKey(api, error), key -> Counter.builder(ERRORS)
                    .tag("request", api.name).tag("error", error.name())
                    .description("Requests answered with an error response because their handler failed")
                    .register(registry)).increment();
        }
    }

    private static Duration millis(double millis) {
        return Duration.ofNanos((long) (millis * 1_000_000));
    }
}
