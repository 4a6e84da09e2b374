package io.strata.broker.config;

/**
 * A broker setting is missing, malformed or out of range. The message always names the key and the
 * offending value so that an operator can fix the file or the environment variable.
 *
 * <p>Immutable and therefore thread-safe.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;

    public ConfigException(String key, String value, String reason) {
        super("Invalid value '" + value + "' for configuration '" + key + "': " + reason);
        this.key = key;
        this.value = value;
    }

    public ConfigException(String message) {
        super(message);
        this.key = null;
        this.value = null;
    }

    /** The offending key, or null when the error is not about a single key (for example an unreadable file). */
    public String key() {
        return key;
    }

    /** The offending raw value, or null when the error is not about a single key. */
    public String value() {
        return value;
    }
}
