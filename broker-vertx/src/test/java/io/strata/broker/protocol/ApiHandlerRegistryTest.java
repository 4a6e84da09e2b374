package io.strata.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.junit.jupiter.api.Test;

class ApiHandlerRegistryTest {

    record StubHandler(ApiKeys apiKey, short minVersion, short maxVersion) implements ApiHandler<AbstractRequest> {
        @Override
        public Future<ApiMessage> handle(RequestContext context, AbstractRequest request) {
            throw new IllegalStateException("boom");
        }
    }

    @Test
    void apiVersionsAreDerivedFromTheHandlersAndIncludeApiVersionsItself() {
        ApiHandlerRegistry registry = new ApiHandlerRegistry(List.of(new StubHandler(ApiKeys.METADATA, (short) 4, (short) 12)));

        ApiVersionCollection versions = registry.apiVersions();

        assertThat(versions).hasSize(2);
        ApiVersion metadata = versions.find(ApiKeys.METADATA.id);
        assertThat(metadata.minVersion()).isEqualTo((short) 4);
        assertThat(metadata.maxVersion()).isEqualTo((short) 12);
        ApiVersion apiVersions = versions.find(ApiKeys.API_VERSIONS.id);
        assertThat(apiVersions.minVersion()).isZero();
        assertThat(apiVersions.maxVersion()).isEqualTo((short) 4);
        assertThat(registry.handler(ApiKeys.API_VERSIONS)).containsInstanceOf(ApiVersionsHandler.class);
    }

    @Test
    void produceIsAdvertisedFromVersionZeroAsKafkaDoesButServedOnlyFromItsHandlersMinimum() {
        ApiHandlerRegistry registry = new ApiHandlerRegistry(List.of(new StubHandler(ApiKeys.PRODUCE, (short) 3, (short) 13)));

        ApiVersion produce = registry.apiVersions().find(ApiKeys.PRODUCE.id);

        assertThat(produce.minVersion()).isZero();
        assertThat(produce.maxVersion()).isEqualTo((short) 13);
        assertThat(registry.supports(ApiKeys.PRODUCE, (short) 2)).isFalse();
        assertThat(registry.supports(ApiKeys.PRODUCE, (short) 3)).isTrue();
    }

    @Test
    void eachCallReturnsAFreshCollection() {
        ApiHandlerRegistry registry = new ApiHandlerRegistry(List.of());

        assertThat(registry.apiVersions()).isNotSameAs(registry.apiVersions());
    }

    @Test
    void supportsChecksTheVersionRange() {
        ApiHandlerRegistry registry = new ApiHandlerRegistry(List.of(new StubHandler(ApiKeys.METADATA, (short) 4, (short) 12)));

        assertThat(registry.supports(ApiKeys.METADATA, (short) 4)).isTrue();
        assertThat(registry.supports(ApiKeys.METADATA, (short) 3)).isFalse();
        assertThat(registry.supports(ApiKeys.METADATA, (short) 13)).isFalse();
        assertThat(registry.supports(ApiKeys.FETCH, (short) 12)).isFalse();
    }

    @Test
    void twoHandlersForOneApiAreRefused() {
        List<ApiHandler<?>> handlers = List.of(
                new StubHandler(ApiKeys.METADATA, (short) 4, (short) 12),
                new StubHandler(ApiKeys.METADATA, (short) 4, (short) 12));

        assertThatThrownBy(() -> new ApiHandlerRegistry(handlers)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void versionRangeBeyondKafkaClientsIsRefused() {
        List<ApiHandler<?>> handlers = List.of(new StubHandler(ApiKeys.METADATA, (short) 0, (short) 99));

        assertThatThrownBy(() -> new ApiHandlerRegistry(handlers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("METADATA");
    }

    @Test
    void handlerThatThrowsYieldsAFailedFuture() {
        ApiHandlerRegistry registry = new ApiHandlerRegistry(List.of(new StubHandler(ApiKeys.METADATA, (short) 4, (short) 12)));
        AbstractRequest request = new org.apache.kafka.common.requests.MetadataRequest(
                new org.apache.kafka.common.message.MetadataRequestData(), (short) 12);

        Future<ApiMessage> result = registry.dispatch(null, request);

        assertThat(result.failed()).isTrue();
        assertThat(result.cause()).hasMessage("boom");
    }
}
