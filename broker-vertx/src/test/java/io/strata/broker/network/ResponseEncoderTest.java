package io.strata.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ResponseEncoderTest {

    @ParameterizedTest
    @ValueSource(shorts = {0, 8, 9, 12, 13})
    void metadataResponseRoundTripsAtRigidAndFlexibleVersions(short version) {
        // Given
        MetadataResponseData body = new MetadataResponseData().setClusterId(version >= 2 ? "strata" : null);
        body.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(0).setHost("127.0.0.1").setPort(9092));
        body.topics().add(new MetadataResponseData.MetadataResponseTopic()
                .setName("orders").setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));

        // When
        ByteBuffer wire = ResponseEncoder.encode(1234, ApiKeys.METADATA, version, body);

        // Then the size prefix covers exactly the rest, and kafka-clients parses it back
        assertThat(wire.getInt()).isEqualTo(wire.remaining());
        AbstractResponse parsed = AbstractResponse.parseResponse(wire,
                WireFormat.header(ApiKeys.METADATA, version, 1234));
        assertThat(wire.hasRemaining()).isFalse();
        MetadataResponse metadata = (MetadataResponse) parsed;
        assertThat(metadata.data().brokers().find(0).host()).isEqualTo("127.0.0.1");
        assertThat(metadata.data().topics().find("orders").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    @Test
    void correlationIdIsWrittenInTheHeader() {
        ByteBuffer wire = ResponseEncoder.encode(-7, ApiKeys.METADATA, (short) 12, new MetadataResponseData());
        wire.getInt();

        ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(wire),
                ApiKeys.METADATA.responseHeaderVersion((short) 12));

        assertThat(header.correlationId()).isEqualTo(-7);
    }

    @Test
    void apiVersionsResponseUsesHeaderVersionZeroEvenWhenFlexible() {
        ApiVersionsResponseData body = new ApiVersionsResponseData().setErrorCode(Errors.NONE.code());
        body.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.API_VERSIONS.id).setMaxVersion((short) 4));

        ByteBuffer wire = ResponseEncoder.encode(5, ApiKeys.API_VERSIONS, (short) 3, body);

        // header v0 is just the correlation id: the flexible body follows immediately
        int size = wire.getInt();
        assertThat(wire.getInt()).isEqualTo(5);
        ApiVersionsResponseData parsed = new ApiVersionsResponseData(new ByteBufferAccessor(wire), (short) 3);
        assertThat(wire.hasRemaining()).isFalse();
        assertThat(size).isEqualTo(4 + WireFormat.serialize(body, (short) 3).remaining());
        assertThat(parsed.apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo((short) 4);
    }

    @Test
    void bodyOfAnotherApiIsRefused() {
        assertThatThrownBy(() -> ResponseEncoder.encode(1, ApiKeys.FETCH, (short) 12, new MetadataResponseData()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
