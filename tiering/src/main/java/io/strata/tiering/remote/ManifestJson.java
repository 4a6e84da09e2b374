package io.strata.tiering.remote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.ToIntFunction;

/**
 * Reads and writes the bucket's JSON objects ({@link TopicManifest}, {@link PartitionManifest}, {@link GroupManifest}):
 * indented, so that {@code mc cat} shows them readably, and versioned, so that a broker refuses a format it does not
 * know instead of misreading it. Thread-safe.
 */
final class ManifestJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestJson() {
    }

    static byte[] write(Object manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses {@code json} as a {@code type} whose version must be {@code expectedVersion}; anything else is an
     * {@link IllegalArgumentException} naming {@code what}.
     */
    static <T> T read(byte[] json, Class<T> type, String what, ToIntFunction<T> version, int expectedVersion) {
        T manifest;
        try {
            manifest = JSON.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a " + what + ": " + e.getMessage(), e);
        }
        if (version.applyAsInt(manifest) != expectedVersion) {
            throw new IllegalArgumentException("unsupported " + what + " version " + version.applyAsInt(manifest));
        }
        return manifest;
    }
}
