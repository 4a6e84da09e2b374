package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.ApiError;

/**
 * AlterConfigs (v0-2), the legacy whole-set replacement: a TOPIC resource's overrides become exactly
 * the configs given (those not listed return to their defaults), validated as CreateTopics validates
 * them; {@code validateOnly} checks without changing anything. See {@link TopicConfigAlteration}.
 */
public final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequest> {

    private final LogManager logs;
    private final Cluster cluster;

    public AlterConfigsHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, AlterConfigsRequest request) {
        boolean validateOnly = request.data().validateOnly();
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            AlterConfigsResponseData response = new AlterConfigsResponseData().setThrottleTimeMs(0);
            for (AlterConfigsResource resource : request.data().resources()) {
                Map<String, String> configs = new HashMap<>();
                for (AlterableConfig config : resource.configs()) {
                    configs.put(config.name(), config.value());
                }
                ApiError error = TopicConfigAlteration.apply(logs, cluster, resource.resourceType(), resource.resourceName(),
                        validateOnly, current -> configs);
                response.responses().add(new AlterConfigsResourceResponse()
                        .setResourceType(resource.resourceType())
                        .setResourceName(resource.resourceName())
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
            }
            return response;
        });
    }
}
