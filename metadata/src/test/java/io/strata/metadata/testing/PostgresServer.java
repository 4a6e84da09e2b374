package io.strata.metadata.testing;

import io.strata.metadata.postgres.PostgresSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL cluster of the test run's own (Debian's {@code postgresql} package: {@code initdb} and
 * {@code pg_ctl} on a data directory in /tmp and a free port on 127.0.0.1), run as the {@code postgres} user when
 * the tests run as root (PostgreSQL refuses root). One per test JVM ({@link #shared()}), stopped when the JVM
 * exits; each test class takes a database of its own ({@link #createDatabase}). Without PostgreSQL the test is
 * skipped with the reason, and under {@code CI=true} it fails.
 */
public final class PostgresServer {

    /** The superuser's password (password authentication over TCP, as in production). */
    public static final String PASSWORD = "strata-test";
    public static final String USER = "postgres";

    private static PostgresServer shared;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path bin, Path dataDir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** The test JVM's server, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            Path bin = binDirectory().orElse(null);
            requireThat(bin != null, "PostgreSQL 15+ is not installed (apt-get install postgresql)");
            shared = start(bin);
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-stop"));
        }
        return shared;
    }

    /** A new, empty database on this server; the settings to reach it as the superuser. */
    public PostgresSettings createDatabase(String prefix) {
        String name = (prefix.replaceAll("[^A-Za-z0-9]", "_") + "_" + DATABASES.incrementAndGet()).toLowerCase();
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name + ": " + e.getMessage(), e);
        }
        return PostgresSettings.parse("postgresql://127.0.0.1:" + port + "/" + name,
                Optional.of(USER), Optional.of(PASSWORD));
    }

    public int port() {
        return port;
    }

    /** Stops the server (a fast shutdown: sessions are cut, the data stays). */
    public void stopServer() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"));
    }

    /** Starts it again on the same port and data. */
    public void startServer() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l", dataDir.resolve("server.log").toString(),
                "-o", "-p " + port + " -k " + dataDir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                "-w", "-t", "60", "start"));
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private static PostgresServer start(Path bin) {
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dataDir = Files.createTempDirectory("strata-postgres-");
            Path pwfile = Files.createTempFile("strata-postgres-", ".pw");
            Files.writeString(pwfile, PASSWORD + "\n", StandardCharsets.UTF_8);
            if (root) {
                chown(dataDir);
                chown(pwfile);
            }
            PostgresServer server = new PostgresServer(bin, dataDir, freePort(), root);
            server.run(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER,
                    "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8",
                    "--no-sync"));
            Files.deleteIfExists(pwfile);
            server.startServer();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare a PostgreSQL data directory", e);
        }
    }

    private void stop() {
        try {
            stopServer();
        } catch (RuntimeException e) {
            // the JVM is exiting; the data directory is removed below either way
        }
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // left in /tmp
        }
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(command);
        try {
            Path log = Files.createTempFile("strata-postgres-cmd-", ".log");
            Process process = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).directory(Path.of("/tmp").toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", full) + " did not finish in 120 s");
            }
            String output = Files.readString(log);
            Files.deleteIfExists(log);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed (exit " + process.exitValue()
                        + "):\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + full, e);
        }
    }

    private static void chown(Path path) throws IOException {
        try {
            Process process = new ProcessBuilder("chown", USER + ":", path.toString()).inheritIO().start();
            if (process.waitFor() != 0) {
                throw new IOException("chown " + USER + " " + path + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The bin directory of the newest PostgreSQL 15+ under /usr/lib/postgresql (Debian's layout). */
    private static Optional<Path> binDirectory() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(dir -> dir.getFileName().toString().matches("\\d+"))
                    .filter(dir -> Integer.parseInt(dir.getFileName().toString()) >= 15)
                    .max(Comparator.comparingInt(dir -> Integer.parseInt(dir.getFileName().toString())))
                    .map(dir -> dir.resolve("bin"))
                    .filter(dir -> Files.isExecutable(dir.resolve("initdb")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void requireThat(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(reason + ", and CI=true: CI must install it");
        }
        Assumptions.abort(reason + "; skipping");
    }
}
