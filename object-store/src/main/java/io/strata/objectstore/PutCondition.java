package io.strata.objectstore;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The precondition of a write: none, "only if no object exists under the key" (If-None-Match: *),
 * or "only if the current object has this ETag" (If-Match). A write whose condition does not hold
 * fails with {@link PreconditionFailedException} and changes nothing.
 */
public sealed interface PutCondition {
    PutCondition NONE = new None();
    PutCondition IF_ABSENT = new IfAbsent();

    static PutCondition ifMatch(String etag) {
        return new IfMatch(etag);
    }

    /**
     * Hands this condition to a request builder as the HTTP precondition headers S3 defines:
     * {@code If-None-Match: *} or {@code If-Match: "etag"}; nothing for {@link #NONE}.
     */
    default void applyTo(Consumer<String> ifNoneMatch, Consumer<String> ifMatch) {
        if (this instanceof IfAbsent) {
            ifNoneMatch.accept("*");
        } else if (this instanceof IfMatch match) {
            ifMatch.accept(match.etag().startsWith("\"") ? match.etag() : "\"" + match.etag() + "\"");
        }
    }

    record None() implements PutCondition {}

    record IfAbsent() implements PutCondition {}

    record IfMatch(String etag) implements PutCondition {
        public IfMatch {
            Objects.requireNonNull(etag, "etag");
        }
    }
}
