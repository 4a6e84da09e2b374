package io.strata.broker.protocol;

import io.vertx.core.Future;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers ApiVersions (all versions 0..4 that Kafka 4.1 accepts) from the handler registry, as Apache Kafka
 * does:
 * <ul>
 *   <li>a request whose version the broker does not serve reaches this handler as an empty v0 request flagged
 *       {@link ApiVersionsRequest#hasUnsupportedRequestVersion()} (its body is never parsed) and is answered
 *       at v0 with {@code UNSUPPORTED_VERSION} and the supported API list, so the client retries with a
 *       version both sides know;</li>
 *   <li>a v3+ request whose ClientSoftwareName/Version do not match Kafka's pattern is answered with
 *       {@code INVALID_REQUEST};</li>
 *   <li>otherwise: error NONE, one entry per served API, throttle 0, and for v3+ no supported or finalized
 *       features with finalized-features epoch -1 (Strata has no feature flags).</li>
 * </ul>
 *
 * <p>Thread-safe if the supplier is: it keeps no state of its own.
 */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {
    private static final Logger LOGGER = LoggerFactory.getLogger(ApiVersionsHandler.class);

    private final Supplier<ApiVersionCollection> apiVersions;

    /** @param apiVersions supplies a fresh list of served APIs for each response */
    public ApiVersionsHandler(Supplier<ApiVersionCollection> apiVersions) {
        this.apiVersions = Objects.requireNonNull(apiVersions, "apiVersions");
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, ApiVersionsRequest request) {
        if (request.hasUnsupportedRequestVersion()) {
            LOGGER.debug("Connection {} sent ApiVersions v{}; answering UNSUPPORTED_VERSION at v0",
                    context.connectionId(), context.apiVersion());
            return Future.succeededFuture(new ApiVersionsResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                    .setApiKeys(apiVersions.get()));
        }
        if (!request.isValid()) {
            LOGGER.debug("Connection {} sent ApiVersions with invalid client software name/version '{}'/'{}'",
                    context.connectionId(), request.data().clientSoftwareName(), request.data().clientSoftwareVersion());
            return Future.succeededFuture(
                    request.getErrorResponse(0, Errors.INVALID_REQUEST.exception()).data());
        }
        ApiVersionsResponseData data = new ApiVersionsResponseData()
                .setErrorCode(Errors.NONE.code())
                .setApiKeys(apiVersions.get())
                .setThrottleTimeMs(0);
        if (request.version() >= 3) {
            data.setSupportedFeatures(new SupportedFeatureKeyCollection())
                    .setFinalizedFeatures(new FinalizedFeatureKeyCollection())
                    .setFinalizedFeaturesEpoch(-1L);
        }
        return Future.succeededFuture(data);
    }
}
