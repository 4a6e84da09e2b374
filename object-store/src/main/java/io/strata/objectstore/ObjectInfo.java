package io.strata.objectstore;

import java.util.Objects;

/**
 * What the store knows about one object: its key (relative to the store's prefix), its size in
 * bytes and its ETag (without quotes; empty when the server did not send one).
 */
public record ObjectInfo(String key, long size, String etag) {
    public ObjectInfo {
        Objects.requireNonNull(key, "key");
        etag = etag == null ? "" : stripQuotes(etag);
    }

    private static String stripQuotes(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                ? etag.substring(1, etag.length() - 1)
                : etag;
    }
}
