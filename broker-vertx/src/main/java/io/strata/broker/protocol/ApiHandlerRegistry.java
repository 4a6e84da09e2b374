package io.strata.broker.protocol;

import io.vertx.core.Future;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The set of Kafka APIs this broker serves: one {@link ApiHandler} per {@link ApiKeys}, kept in an
 * {@link EnumMap}. The ApiVersions answer is derived from this map (each handler's min and max version), so
 * the broker advertises exactly what its handlers implement, with one exception copied from Apache Kafka 4.x:
 * Produce is advertised from v0 ({@link ApiKeys#PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION}, KAFKA-18659)
 * although v0-2 are refused, because librdkafka up to 2.11 silently sends gzip, snappy and lz4 batches
 * uncompressed to a broker whose Produce range does not include v0. An {@link ApiVersionsHandler} answering from
 * this registry is added automatically unless the list already holds an ApiVersions handler.
 *
 * <p>Immutable after construction and therefore thread-safe.
 */
public final class ApiHandlerRegistry {
    private static final Logger LOGGER = LoggerFactory.getLogger(ApiHandlerRegistry.class);

    private final Map<ApiKeys, ApiHandler<?>> handlers;

    /**
     * @param handlers at most one handler per API key
     * @throws IllegalArgumentException on two handlers for one key, or a version range that is empty or
     *     outside what kafka-clients can parse
     */
    public ApiHandlerRegistry(List<? extends ApiHandler<?>> handlers) {
        EnumMap<ApiKeys, ApiHandler<?>> map = new EnumMap<>(ApiKeys.class);
        for (ApiHandler<?> handler : handlers) {
            ApiKeys key = Objects.requireNonNull(handler.apiKey(), "apiKey of " + handler);
            validateRange(handler);
            ApiHandler<?> previous = map.putIfAbsent(key, handler);
            if (previous != null) {
                throw new IllegalArgumentException("Two handlers for " + key + ": " + previous + " and " + handler);
            }
        }
        if (!map.containsKey(ApiKeys.API_VERSIONS)) {
            // The method reference is only invoked when a request arrives, after construction completed.
            map.put(ApiKeys.API_VERSIONS, new ApiVersionsHandler(this::apiVersions));
        }
        this.handlers = Collections.unmodifiableMap(map);
        LOGGER.debug("Serving APIs {}", describe());
    }

    /** The handler of {@code apiKey}, if this broker serves that API. */
    public Optional<ApiHandler<?>> handler(ApiKeys apiKey) {
        return Optional.ofNullable(handlers.get(apiKey));
    }

    /** The API keys served, in id order. */
    public Set<ApiKeys> apiKeys() {
        return handlers.keySet();
    }

    /** True when a handler serves {@code apiKey} at {@code version}. */
    public boolean supports(ApiKeys apiKey, short version) {
        ApiHandler<?> handler = handlers.get(apiKey);
        return handler != null && version >= handler.minVersion() && version <= handler.maxVersion();
    }

    /**
     * A fresh ApiVersions list (the generated collection links its elements, so each response needs its own
     * copy), one entry per served API with the handler's version range; Produce's minimum is advertised as
     * Kafka advertises it (see the class comment).
     */
    public ApiVersionCollection apiVersions() {
        ApiVersionCollection collection = new ApiVersionCollection(handlers.size());
        handlers.forEach((key, handler) -> collection.add(new ApiVersion()
                .setApiKey(key.id)
                .setMinVersion(key == ApiKeys.PRODUCE
                        ? (short) Math.min(handler.minVersion(), ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION)
                        : handler.minVersion())
                .setMaxVersion(handler.maxVersion())));
        return collection;
    }

    /**
     * Calls the handler of the request's API. A handler that throws, or returns no future, yields a failed
     * future, so the caller has a single failure path.
     *
     * @throws IllegalArgumentException when no handler serves the request's API (callers check first)
     */
    public Future<ApiMessage> dispatch(RequestContext context, AbstractRequest request) {
        ApiHandler<?> handler = handlers.get(request.apiKey());
        if (handler == null) {
            throw new IllegalArgumentException("No handler for " + request.apiKey());
        }
        try {
            Future<ApiMessage> result = invoke(handler, context, request);
            return result != null
                    ? result
                    : Future.failedFuture(new IllegalStateException(handler.getClass().getName() + " returned no future"));
        } catch (Throwable t) {
            return Future.failedFuture(t);
        }
    }

    @SuppressWarnings("unchecked")
    private static <R extends AbstractRequest> Future<ApiMessage> invoke(ApiHandler<R> handler, RequestContext context,
                                                                       AbstractRequest request) {
        return handler.handle(context, (R) request);
    }

    private static void validateRange(ApiHandler<?> handler) {
        ApiKeys key = handler.apiKey();
        short min = handler.minVersion();
        short max = handler.maxVersion();
        if (min > max || min < key.oldestVersion() || max > key.latestVersion(true)) {
            throw new IllegalArgumentException("Handler " + handler.getClass().getName() + " declares versions "
                    + min + ".." + max + " for " + key + "; kafka-clients supports " + key.oldestVersion() + ".."
                    + key.latestVersion(true));
        }
    }

    private String describe() {
        StringBuilder text = new StringBuilder();
        handlers.forEach((key, handler) -> text.append(text.length() == 0 ? "" : ", ")
                .append(key.name).append(' ').append(handler.minVersion()).append("..").append(handler.maxVersion()));
        return text.toString();
    }

    @Override
    public String toString() {
        return "ApiHandlerRegistry{" + describe() + "}";
    }
}
