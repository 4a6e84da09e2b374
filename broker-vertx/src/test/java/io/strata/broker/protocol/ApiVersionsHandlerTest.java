package io.strata.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiVersionsHandlerTest {

    private static Vertx vertx;
    private final ApiHandlerRegistry registry = new ApiHandlerRegistry(List.of());

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().await();
    }

    @Test
    void v3AnswersTheServedApisWithoutFeatures() {
        ApiVersionsResponseData response = handle(new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("apache-kafka-java").setClientSoftwareVersion("4.1.2"), (short) 3));

        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.throttleTimeMs()).isZero();
        assertThat(response.apiKeys()).extracting(ApiVersionsResponseData.ApiVersion::apiKey)
                .containsExactly(ApiKeys.API_VERSIONS.id);
        assertThat(response.supportedFeatures()).isEmpty();
        assertThat(response.finalizedFeatures()).isEmpty();
        assertThat(response.finalizedFeaturesEpoch()).isEqualTo(-1L);
    }

    @Test
    void invalidClientSoftwareNameIsAnInvalidRequest() {
        ApiVersionsResponseData response = handle(new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("not valid!").setClientSoftwareVersion("1.0"), (short) 3));

        assertThat(response.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    }

    @Test
    void unsupportedVersionIsAnsweredWithTheSupportedList() {
        ApiVersionsResponseData response = handle(new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 0, (short) 9));

        assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(response.apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo((short) 4);
    }

    private ApiVersionsResponseData handle(ApiVersionsRequest request) {
        RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, request.version(), "test", 1);
        RequestContext context = new RequestContext(header, "test-connection",
                new InetSocketAddress("127.0.0.1", 50000), vertx.getOrCreateContext());
        @SuppressWarnings("unchecked")
        ApiHandler<ApiVersionsRequest> handler =
                (ApiHandler<ApiVersionsRequest>) registry.handler(ApiKeys.API_VERSIONS).orElseThrow();
        return (ApiVersionsResponseData) handler.handle(context, request).result();
    }
}
