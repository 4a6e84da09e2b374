package io.strata.broker.handler;

import io.strata.broker.config.BrokerConfig;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.config.TopicConfigDef;
import io.strata.tiering.config.TopicConfigValue;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs (v1-4). A TOPIC resource lists every topic config Strata knows
 * ({@link TopicConfigDef}) with its effective value and source: {@code DYNAMIC_TOPIC_CONFIG} for the
 * topic's overrides, {@code STATIC_BROKER_CONFIG} for broker defaults that differ from Kafka's,
 * {@code DEFAULT_CONFIG} otherwise; synonyms (the override, the broker property, the default) and documentation when asked.
 * A BROKER resource (this broker's id, or empty) lists the broker's settings, read-only; sensitive ones
 * (secret keys, passwords) have a null value. Other resource types get INVALID_REQUEST.
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {

    private final LogManager logs;
    private final BrokerConfig brokerConfig;

    public DescribeConfigsHandler(LogManager logs, BrokerConfig brokerConfig) {
        this.logs = logs;
        this.brokerConfig = brokerConfig;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DescribeConfigsRequest request) {
        boolean synonyms = request.data().includeSynonyms();
        boolean documentation = request.data().includeDocumentation();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsResource resource : request.data().resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName())
                    .setErrorCode(Errors.NONE.code());
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            List<DescribeConfigsResourceResult> configs = switch (type) {
                case TOPIC -> describeTopic(resource.resourceName(), synonyms, documentation, result);
                case BROKER -> describeBroker(resource.resourceName(), synonyms, result);
                default -> fail(result, Errors.INVALID_REQUEST, "Strata does not describe " + type + " configs");
            };
            List<String> wanted = resource.configurationKeys();
            for (DescribeConfigsResourceResult config : configs) {
                if (wanted == null || wanted.contains(config.name())) {
                    result.configs().add(config);
                }
            }
            response.results().add(result);
        }
        return Future.succeededFuture(response);
    }

    private List<DescribeConfigsResourceResult> describeTopic(String name, boolean withSynonyms,
                                                              boolean withDocumentation, DescribeConfigsResult result) {
        Optional<TopicLogs> topic = logs.topic(name);
        if (topic.isEmpty()) {
            return fail(result, Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + name + "' does not exist.");
        }
        Map<String, String> brokerDefaults = logs.topicDefaults();
        List<DescribeConfigsResourceResult> configs = new ArrayList<>();
        for (TopicConfigValue value : TopicConfigDef.describe(brokerDefaults, topic.get().record().configs())) {
            ConfigDef.ConfigKey key = TopicConfigDef.def().configKeys().get(value.name());
            DescribeConfigsResourceResult config = new DescribeConfigsResourceResult()
                    .setName(value.name())
                    .setValue(value.value())
                    .setReadOnly(false)
                    .setConfigSource(source(value.source()).id())
                    .setIsSensitive(false)
                    .setConfigType(configType(key.type).id())
                    .setDocumentation(withDocumentation ? key.documentation : null);
            if (withSynonyms) {
                config.setSynonyms(topicSynonyms(value.name(), topic.get().record().configs(), brokerDefaults, key));
            }
            configs.add(config);
        }
        return configs;
    }

    /** Kafka's order: the topic override, the broker property, the default (under the broker's name). */
    private static List<DescribeConfigsSynonym> topicSynonyms(String name, Map<String, String> overrides,
                                                              Map<String, String> brokerDefaults,
                                                              ConfigDef.ConfigKey key) {
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (overrides.containsKey(name)) {
            synonyms.add(synonym(name, overrides.get(name), ConfigSource.TOPIC_CONFIG));
        }
        String brokerName = TopicConfigDef.BROKER_DEFAULTS.getOrDefault(name, name);
        if (brokerDefaults.containsKey(name) && !TopicConfigDef.isKafkaDefault(name, brokerDefaults.get(name))) {
            synonyms.add(synonym(brokerName, brokerDefaults.get(name), ConfigSource.STATIC_BROKER_CONFIG));
        }
        if (key.hasDefault()) {
            synonyms.add(synonym(brokerName, ConfigDef.convertToString(key.defaultValue, key.type),
                    ConfigSource.DEFAULT_CONFIG));
        }
        return synonyms;
    }

    private List<DescribeConfigsResourceResult> describeBroker(String name, boolean withSynonyms,
                                                               DescribeConfigsResult result) {
        if (!name.isEmpty() && !name.equals(Integer.toString(brokerConfig.nodeId()))) {
            return fail(result, Errors.INVALID_REQUEST, "Unexpected broker id, expected " + brokerConfig.nodeId()
                    + " or empty string, but received " + name);
        }
        Map<String, String> set = brokerConfig.originals();
        Map<String, String> all = new TreeMap<>(brokerConfig.knownSettings());
        all.putAll(set);
        List<DescribeConfigsResourceResult> configs = new ArrayList<>();
        all.forEach((key, value) -> {
            boolean sensitive = isSensitive(key);
            String shown = sensitive ? null : value;
            ConfigSource source = set.containsKey(key) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
            DescribeConfigsResourceResult config = new DescribeConfigsResourceResult()
                    .setName(key)
                    .setValue(shown)
                    .setReadOnly(true)
                    .setConfigSource(source.id())
                    .setIsSensitive(sensitive)
                    .setConfigType(sensitive ? ConfigType.PASSWORD.id() : ConfigType.UNKNOWN.id())
                    .setDocumentation(null);
            if (withSynonyms) {
                config.setSynonyms(List.of(synonym(key, shown, source)));
            }
            configs.add(config);
        });
        return configs;
    }

    /** Settings whose values are never sent to clients, as Kafka hides its PASSWORD-typed configs. */
    static boolean isSensitive(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("secret") || lower.contains("password") || lower.contains("credential");
    }

    private static List<DescribeConfigsResourceResult> fail(DescribeConfigsResult result, Errors error,
                                                            String message) {
        result.setErrorCode(error.code()).setErrorMessage(message);
        return List.of();
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    private static ConfigSource source(TopicConfigValue.Source source) {
        return switch (source) {
            case TOPIC -> ConfigSource.TOPIC_CONFIG;
            case BROKER -> ConfigSource.STATIC_BROKER_CONFIG;
            case DEFAULT -> ConfigSource.DEFAULT_CONFIG;
        };
    }

    private static ConfigType configType(ConfigDef.Type type) {
        return switch (type) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case INT -> ConfigType.INT;
            case SHORT -> ConfigType.SHORT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case LIST -> ConfigType.LIST;
            case CLASS -> ConfigType.CLASS;
            case PASSWORD -> ConfigType.PASSWORD;
        };
    }
}
