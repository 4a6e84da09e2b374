package io.strata.broker.network;

import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * What {@link RequestDecoder} makes of one frame.
 *
 * <p>Implementations are immutable values; the request objects they carry are not modified after decoding.
 */
public sealed interface DecodedRequest {

    /**
     * A request to dispatch to its handler.
     *
     * @param header the parsed header
     * @param request the parsed body; for an ApiVersions request at an unserved version, an empty v0 request
     *     flagged {@code hasUnsupportedRequestVersion()} whose body was never parsed
     * @param frameBytes size of the frame, counted against the connection's in-flight limit
     */
    record Request(RequestHeader header, AbstractRequest request, int frameBytes) implements DecodedRequest {
        /** The version to encode the response at: the request's, which is 0 for an unserved ApiVersions. */
        public short responseVersion() {
            return request.version();
        }
    }

    /**
     * A frame that must close the connection: malformed, truncated, trailing bytes, unknown API key, an API
     * without handler, or a version the handler does not serve.
     *
     * @param reason one line for the WARN log
     * @param cause the parse error, or null when the frame parsed but is refused
     */
    record Rejected(String reason, Throwable cause) implements DecodedRequest {
    }
}
