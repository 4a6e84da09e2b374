package io.strata.metadata.postgres;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the metadata database is: {@code metadata.store=postgresql://host:port/database?user=..&password=..}, a
 * libpq-style URL (the user and password may also come as {@code user:password@host}; other query parameters, such as {@code sslmode}, go to the JDBC driver as they are), with the
 * user and password also settable on their own (from a secret); those win over the URL's. The password never
 * appears in {@link #toString()} or in any log line.
 */
public record PostgresSettings(String host, int port, String database, Optional<String> user,
                               Optional<String> password, Map<String, String> parameters) {

    public static final String SCHEME = "postgresql";
    private static final int DEFAULT_PORT = 5432;

    public PostgresSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        parameters = Map.copyOf(parameters);
    }

    /**
     * Parses {@code url}; {@code user} and {@code password}, when present, replace the URL's.
     *
     * @throws IllegalArgumentException with a message for the user when the URL is not a usable PostgreSQL URL
     */
    public static PostgresSettings parse(String url, Optional<String> user, Optional<String> password) {
        URI uri;
        try {
            uri = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + redact(url) + "' is not a URL: " + e.getMessage());
        }
        if (!SCHEME.equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("'" + redact(url) + "' is not a PostgreSQL URL (postgresql://host:port/database)");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("'" + redact(url) + "' names no host (postgresql://host:port/database)");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (path.isBlank() || path.contains("/")) {
            throw new IllegalArgumentException("'" + redact(url) + "' names no database (postgresql://host:port/database)");
        }
        Map<String, String> query = query(uri.getRawQuery());
        // libpq takes user and password from the user-info part (user:password@host) or from the query
        String[] userInfo = uri.getRawUserInfo() == null ? new String[0] : uri.getRawUserInfo().split(":", 2);
        Optional<String> urlUser = Optional.ofNullable(query.remove("user"))
                .or(() -> userInfo.length > 0 ? Optional.of(decode(userInfo[0])) : Optional.empty());
        Optional<String> urlPassword = Optional.ofNullable(query.remove("password"))
                .or(() -> userInfo.length > 1 ? Optional.of(decode(userInfo[1])) : Optional.empty());
        return new PostgresSettings(uri.getHost(), uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), path,
                user.or(() -> urlUser), password.or(() -> urlPassword), query);
    }

    /** The JDBC URL, without user or password (they go to the pool as properties). */
    public String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port)
                .append('/').append(database);
        char separator = '?';
        for (Map.Entry<String, String> parameter : new java.util.TreeMap<>(parameters).entrySet()) {
            url.append(separator).append(parameter.getKey()).append('=').append(parameter.getValue());
            separator = '&';
        }
        return url.toString();
    }

    /** For log lines: host, port, database and user, never the password. */
    @Override
    public String toString() {
        return "postgresql://" + user.map(u -> u + "@").orElse("") + host + ":" + port + "/" + database;
    }

    /** {@code url} with any password in it replaced by {@code ***}. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(//[^/:@]+:)[^@/]*@", "$1***@");
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isBlank()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            parameters.put(name, value);
        }
        return parameters;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
