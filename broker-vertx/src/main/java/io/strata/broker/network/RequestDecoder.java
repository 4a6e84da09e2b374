package io.strata.broker.network;

import io.strata.broker.protocol.ApiHandlerRegistry;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one frame (header + body, without the size prefix) into a request with kafka-clients' generated
 * message classes: {@link RequestHeader#parse} for the header, then
 * {@link AbstractRequest#parseRequest} for the body at the header's version, and finally a check that every
 * byte of the frame was consumed. No protocol field is read by hand.
 *
 * <p>Version policy, as in Apache Kafka: an API without handler, or a version outside the handler's range, is
 * refused (the connection is closed), except ApiVersions, whose unserved versions become an empty v0
 * {@link ApiVersionsRequest} flagged as unsupported so that the handler answers {@code UNSUPPORTED_VERSION}
 * at v0. Any parse failure, including an unknown API key, is refused.
 *
 * <p>Thread-safe: stateless apart from the immutable registry.
 */
public final class RequestDecoder {
    private static final Logger LOGGER = LoggerFactory.getLogger(RequestDecoder.class);

    private final ApiHandlerRegistry registry;

    public RequestDecoder(ApiHandlerRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Decodes {@code frame} from its position to its limit. The returned request may keep views of the frame
     * (record batches of Produce), so the frame must not be reused.
     */
    public DecodedRequest decode(ByteBuffer frame) {
        int frameBytes = frame.remaining();
        RequestHeader header;
        try {
            header = RequestHeader.parse(frame);
        } catch (RuntimeException e) {
            return new DecodedRequest.Rejected("cannot parse request header: " + e.getMessage(), e);
        }
        ApiKeys apiKey = header.apiKey();
        short version = header.apiVersion();
        if (registry.handler(apiKey).isEmpty()) {
            return new DecodedRequest.Rejected("API " + apiKey.name + " (key " + apiKey.id + ") is not served, "
                    + describe(header), null);
        }
        if (!registry.supports(apiKey, version)) {
            if (apiKey == ApiKeys.API_VERSIONS) {
                // Kafka answers unknown ApiVersions versions at v0 without parsing the body (KIP-511).
                return new DecodedRequest.Request(header,
                        new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 0, version), frameBytes);
            }
            return new DecodedRequest.Rejected("unsupported version of " + describe(header), null);
        }
        RequestAndSize parsed;
        try {
            parsed = AbstractRequest.parseRequest(apiKey, version, new ByteBufferAccessor(frame));
        } catch (RuntimeException e) {
            return new DecodedRequest.Rejected("cannot parse body of " + describe(header) + ": " + e.getMessage(), e);
        }
        if (frame.hasRemaining()) {
            return new DecodedRequest.Rejected(frame.remaining() + " unread trailing bytes after " + describe(header), null);
        }
        LOGGER.trace("Decoded {}", header);
        return new DecodedRequest.Request(header, parsed.request, frameBytes);
    }

    private static String describe(RequestHeader header) {
        return header.apiKey().name + " v" + header.apiVersion() + " (correlation id " + header.correlationId()
                + ", client id '" + header.clientId() + "')";
    }
}
