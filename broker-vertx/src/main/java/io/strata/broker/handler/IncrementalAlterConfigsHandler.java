package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.config.TopicConfigDef;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs (v0-1), what {@code kafka-configs --alter} and {@code Admin.incrementalAlterConfigs}
 * send: per TOPIC resource, SET and DELETE any topic config, APPEND to and SUBTRACT from list configs
 * (starting from the current override, or the default when there is none), all validated together;
 * {@code validateOnly} checks without changing anything. See {@link TopicConfigAlteration}.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {

    private final LogManager logs;
    private final Cluster cluster;

    public IncrementalAlterConfigsHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, IncrementalAlterConfigsRequest request) {
        boolean validateOnly = request.data().validateOnly();
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0);
            for (AlterConfigsResource resource : request.data().resources()) {
                ApiError error = TopicConfigAlteration.apply(logs, cluster, resource.resourceType(), resource.resourceName(),
                        validateOnly, current -> applyOperations(current, resource.configs()));
                response.responses().add(new AlterConfigsResourceResponse()
                        .setResourceType(resource.resourceType())
                        .setResourceName(resource.resourceName())
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
            }
            return response;
        });
    }

    /** The overrides after the operations, in request order. */
    static Map<String, String> applyOperations(Map<String, String> current, Iterable<AlterableConfig> operations) {
        Map<String, String> updated = new HashMap<>(current);
        Set<String> seen = new HashSet<>();
        for (AlterableConfig op : operations) {
            if (!seen.add(op.name())) {
                throw new InvalidRequestException("Error due to duplicate config keys: " + op.name());
            }
            OpType type = OpType.forId(op.configOperation());
            if (type == null) {
                throw new InvalidRequestException("Unknown config operation " + op.configOperation() + " for "
                        + op.name());
            }
            switch (type) {
                case SET -> updated.put(op.name(), op.value());
                case DELETE -> updated.remove(op.name());
                case APPEND, SUBTRACT -> updated.put(op.name(), listOperation(type, op, updated.get(op.name())));
            }
        }
        return updated;
    }

    private static String listOperation(OpType type, AlterableConfig op, String currentOverride) {
        ConfigDef.ConfigKey key = TopicConfigDef.def().configKeys().get(op.name());
        if (key == null) {
            throw new InvalidConfigurationException("Unknown topic config name: " + op.name());
        }
        if (key.type != ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException("Config value " + type.name().toLowerCase(java.util.Locale.ROOT)
                    + " is not allowed for config key: " + op.name());
        }
        String currentValue = currentOverride != null ? currentOverride
                : key.hasDefault() ? ConfigDef.convertToString(key.defaultValue, key.type) : "";
        List<String> values = new ArrayList<>(split(currentValue));
        List<String> operands = split(op.value());
        if (type == OpType.APPEND) {
            operands.stream().filter(v -> !values.contains(v)).forEach(values::add);
        } else {
            values.removeAll(operands);
        }
        return String.join(",", values);
    }

    private static List<String> split(String value) {
        List<String> values = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    values.add(item.trim());
                }
            }
        }
        return values;
    }
}
