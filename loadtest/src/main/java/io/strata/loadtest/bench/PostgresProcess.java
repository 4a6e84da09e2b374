package io.strata.loadtest.bench;

import io.strata.loadtest.FreePorts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for a Strata cluster the tool starts, as the tests get one
 * (metadata's {@code PostgresServer}): {@code initdb} on a new directory in /tmp, then {@code postgres} in the
 * foreground as a child of this JVM on a free port of 127.0.0.1, run as the {@code postgres} user when the tool runs
 * as root (PostgreSQL refuses root). Its settings are PostgreSQL's defaults, durable ones included
 * ({@code fsync=on}, {@code synchronous_commit=on}: a commit waits for its WAL flush, as it must in production),
 * with {@code max_connections=200}; authentication is {@code trust} (a throwaway server on 127.0.0.1).
 * {@link #stop()} shuts it down ({@code pg_ctl stop -m fast}, then its process) and deletes its directory.
 */
final class PostgresProcess {

    static final String USER = "postgres";

    private final Path bin;
    private final Path dataDir;
    private final boolean asPostgresUser;
    private final BrokerProcess server;

    private PostgresProcess(Path bin, Path dataDir, boolean asPostgresUser, BrokerProcess server) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.asPostgresUser = asPostgresUser;
        this.server = server;
    }

    /** Initializes a new cluster and starts it; its output goes to {@code log}. */
    static PostgresProcess start(Path log) throws IOException, InterruptedException {
        Path bin = binDirectory().orElseThrow(() -> new IOException(
            "PostgreSQL 15 or newer is not installed under /usr/lib/postgresql (apt-get install postgresql)"));
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dataDir = Files.createTempDirectory("strata-bench-pg-");
        if (root) {
            run(List.of("chown", USER + ":", dataDir.toString()), false, log);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER, "--auth-local=trust",
            "--auth-host=trust", "-E", "UTF8", "--no-sync"), root, log);
        int port = FreePorts.choose(1)[0];
        List<String> command = new ArrayList<>(root ? List.of("runuser", "-u", USER, "--") : List.of());
        command.addAll(List.of(bin.resolve("postgres").toString(), "-D", dataDir.toString(), "-p", Integer.toString(port),
            "-k", dataDir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"));
        BrokerProcess server = new BrokerProcess("PostgreSQL", command, Map.of(), log, port);
        server.start();
        return new PostgresProcess(bin, dataDir, root, server);
    }

    /** Creates database {@code name}. */
    void createDatabase(String name) throws IOException, InterruptedException {
        run(List.of(bin.resolve("createdb").toString(), "-h", dataDir.toString(), "-p", Integer.toString(port()),
            "-U", USER, name), asPostgresUser, server.logFile());
    }

    int port() {
        return Integer.parseInt(server.bootstrap().substring(server.bootstrap().lastIndexOf(':') + 1));
    }

    /** The broker's {@code metadata.store} for {@code database}. */
    String metadataStore(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database + "?user=" + USER;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    BrokerProcess process() {
        return server;
    }

    /** A fast shutdown (sessions cut), its process stopped, its directory deleted. */
    void stop() throws InterruptedException {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"),
                asPostgresUser, server.logFile());
        } catch (IOException e) {
            // already down: stopping its process below is enough
        }
        server.stop();
        try {
            Directories.deleteRecursively(dataDir);
        } catch (IOException e) {
            // left in /tmp
        }
    }

    private static void run(List<String> command, boolean asPostgres, Path log) throws IOException,
        InterruptedException {
        List<String> full = new ArrayList<>(asPostgres ? List.of("runuser", "-u", USER, "--") : List.of());
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).directory(Path.of("/tmp").toFile()).start();
        StartedProcesses.register(process);
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", full) + " failed; see " + log);
            }
        } finally {
            StartedProcesses.stop(process, java.time.Duration.ofSeconds(1));
        }
    }

    /** The bin directory of the newest PostgreSQL 15+ under /usr/lib/postgresql (Debian's layout). */
    private static Optional<Path> binDirectory() throws IOException {
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
        }
    }
}
