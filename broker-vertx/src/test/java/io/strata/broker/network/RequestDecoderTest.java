package io.strata.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.ApiHandlerRegistry;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {

    /** Serves Metadata v4..v9 only, to exercise the version range check. */
    private static final class MetadataV4ToV9 implements ApiHandler<MetadataRequest> {
        @Override
        public ApiKeys apiKey() {
            return ApiKeys.METADATA;
        }

        @Override
        public short minVersion() {
            return 4;
        }

        @Override
        public short maxVersion() {
            return 9;
        }

        @Override
        public Future<ApiMessage> handle(RequestContext context, MetadataRequest request) {
            return Future.failedFuture(new UnsupportedOperationException());
        }
    }

    private final RequestDecoder decoder = new RequestDecoder(new ApiHandlerRegistry(List.of(new MetadataV4ToV9())));

    @Test
    void wellFormedRequestIsDecoded() {
        ApiVersionsRequest sent = new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("strata-test").setClientSoftwareVersion("1.0"), (short) 3);
        ByteBuffer frame = WireFormat.frame(sent, 42);
        int size = frame.remaining();

        DecodedRequest decoded = decoder.decode(frame);

        assertThat(decoded).isInstanceOfSatisfying(DecodedRequest.Request.class, request -> {
            assertThat(request.header().correlationId()).isEqualTo(42);
            assertThat(request.header().clientId()).isEqualTo("test-client");
            assertThat(request.frameBytes()).isEqualTo(size);
            assertThat(request.responseVersion()).isEqualTo((short) 3);
            assertThat(((ApiVersionsRequest) request.request()).data().clientSoftwareName()).isEqualTo("strata-test");
        });
    }

    @Test
    void garbageIsRejected() {
        DecodedRequest decoded = decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe}));

        assertThat(decoded).isInstanceOf(DecodedRequest.Rejected.class);
    }

    @Test
    void truncatedBodyIsRejected() {
        ByteBuffer frame = WireFormat.frame(new MetadataRequest(new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("orders"))), (short) 9), 1);
        frame.limit(frame.limit() - 3);

        assertThat(decoder.decode(frame)).isInstanceOfSatisfying(DecodedRequest.Rejected.class,
                rejected -> assertThat(rejected.reason()).contains("cannot parse body of Metadata v9"));
    }

    @Test
    void trailingBytesAreRejected() {
        ByteBuffer frame = WireFormat.concat(
                WireFormat.frame(new MetadataRequest(new MetadataRequestData(), (short) 4), 1),
                ByteBuffer.wrap(new byte[] {1, 2}));

        assertThat(decoder.decode(frame)).isInstanceOfSatisfying(DecodedRequest.Rejected.class,
                rejected -> assertThat(rejected.reason()).contains("2 unread trailing bytes"));
    }

    @Test
    void unknownApiKeyIsRejected() {
        ByteBuffer frame = WireFormat.rawFrame((short) 9999, (short) 0, (short) 1, 1, new byte[0]);

        assertThat(decoder.decode(frame)).isInstanceOfSatisfying(DecodedRequest.Rejected.class,
                rejected -> assertThat(rejected.reason()).contains("header"));
    }

    @Test
    void knownApiWithoutHandlerIsRejected() {
        ByteBuffer frame = WireFormat.rawFrame(ApiKeys.FETCH.id, (short) 12, (short) 2, 1, new byte[0]);

        assertThat(decoder.decode(frame)).isInstanceOfSatisfying(DecodedRequest.Rejected.class,
                rejected -> assertThat(rejected.reason()).contains("Fetch").contains("not served"));
    }

    @Test
    void versionOutsideTheHandlerRangeIsRejected() {
        ByteBuffer frame = WireFormat.frame(new MetadataRequest(new MetadataRequestData(), (short) 12), 1);

        assertThat(decoder.decode(frame)).isInstanceOfSatisfying(DecodedRequest.Rejected.class,
                rejected -> assertThat(rejected.reason()).contains("unsupported version of Metadata v12"));
    }

    @Test
    void unservedApiVersionsVersionBecomesAnUnparsedV0Request() {
        // Given a future ApiVersions version with a body this broker cannot parse
        ByteBuffer frame = WireFormat.rawFrame(ApiKeys.API_VERSIONS.id, (short) 127, (short) 2, 77,
                new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

        // When
        DecodedRequest decoded = decoder.decode(frame);

        // Then it is answered at v0 by the ApiVersions handler
        assertThat(decoded).isInstanceOfSatisfying(DecodedRequest.Request.class, request -> {
            assertThat(request.header().apiVersion()).isEqualTo((short) 127);
            assertThat(request.header().correlationId()).isEqualTo(77);
            assertThat(request.responseVersion()).isZero();
            assertThat(((ApiVersionsRequest) request.request()).hasUnsupportedRequestVersion()).isTrue();
        });
    }
}
