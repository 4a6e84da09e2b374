package io.strata.broker.config;

import java.util.Locale;
import java.util.Objects;

/**
 * One listener address as written in {@code listeners} / {@code advertised.listeners}:
 * {@code NAME://host:port} (for example {@code PLAINTEXT://127.0.0.1:9092}), or plain {@code host:port},
 * which is read as a {@code PLAINTEXT} listener. IPv6 hosts are written in brackets
 * ({@code PLAINTEXT://[::1]:9092}); an empty host ({@code PLAINTEXT://:9092}) means every interface, as in
 * Kafka.
 *
 * <p>Immutable and therefore thread-safe.
 *
 * @param listenerName upper-case listener name, {@code PLAINTEXT} unless written otherwise
 * @param host host name or address literal without brackets; {@code 0.0.0.0} for every interface
 * @param port TCP port, {@code 0} to let the operating system choose
 */
public record Endpoint(String listenerName, String host, int port) {

    public static final String DEFAULT_LISTENER_NAME = "PLAINTEXT";
    private static final String WILDCARD = "0.0.0.0";

    public Endpoint {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * Parses one listener. {@code key} is only used in the error message.
     *
     * @throws ConfigException when the text is not {@code [NAME://]host:port} with a valid port
     */
    public static Endpoint parse(String key, String text) {
        String value = text.trim();
        String name = DEFAULT_LISTENER_NAME;
        String address = value;
        int scheme = value.indexOf("://");
        if (scheme >= 0) {
            name = value.substring(0, scheme).trim().toUpperCase(Locale.ROOT);
            address = value.substring(scheme + 3);
            if (name.isEmpty()) {
                throw new ConfigException(key, text, "listener name before '://' is empty");
            }
        }
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key, text, "expected [NAME://]host:port");
        }
        String host = address.substring(0, colon).trim();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = WILDCARD;
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, text, "port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, text, "port must be between 0 and 65535");
        }
        return new Endpoint(name, host, port);
    }

    /** True when the host binds every interface ({@code 0.0.0.0} or {@code ::}), which clients cannot dial. */
    public boolean isWildcard() {
        return WILDCARD.equals(host) || "::".equals(host);
    }

    /** The same listener with another port, for example the port actually bound when {@code port} was 0. */
    public Endpoint withPort(int newPort) {
        return new Endpoint(listenerName, host, newPort);
    }

    @Override
    public String toString() {
        String printedHost = host.contains(":") ? "[" + host + "]" : host;
        return listenerName + "://" + printedHost + ":" + port;
    }
}
