package io.strata.loadtest;

import io.strata.objectstore.PutCondition;
import io.strata.objectstore.s3.S3Config;
import io.strata.objectstore.s3.S3ObjectStore;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The physical limit of Strata's write-ahead-log path, for the bench tool's wal-path scenario: what one WAL object
 * costs at the least, without the broker. Each operation PUTs {@code --object-bytes} random bytes under a new key with
 * {@code If-None-Match: *} (through the broker's own {@link S3ObjectStore}, configured from the same
 * {@code STRATA_S3_*} environment variables as the brokers), then commits one PostgreSQL transaction of the WAL
 * commit's shape in its own tables ({@code bench_probe_*}, created here, dropped at the end): an INSERT of the
 * object's row, an UPDATE of {@code --ranges} partition rows (one batch, {@code WHERE ... AND committed_end = ?} as
 * the fence), an INSERT of as many range rows (one batch) and COMMIT. Operations start at {@code --rate} per second
 * (several may be in flight, as the brokers keep several WAL objects in flight), spread over {@code --writers}
 * writers, each with its own partition rows, as each broker commits its own partitions; the latency of each is
 * measured from its own start, so a late start does not count. {@code --warmup} operations go first, unmeasured.
 * Prints one line: {@code probe n=N p50=.. p99=.. p999=.. put_p50=.. put_p99=.. commit_p50=.. commit_p99=..}
 * (milliseconds).
 *
 * <pre>
 * STRATA_S3_ENDPOINT=... STRATA_S3_BUCKET=strata STRATA_S3_ACCESS_KEY=... STRATA_S3_SECRET_KEY=... \
 * java -cp broker-vertx/target/strata-broker.jar:loadtest/target/classes io.strata.loadtest.WalPathProbe \
 *     --jdbc-url jdbc:postgresql://127.0.0.1:5432/strata --user postgres --object-bytes 20000 --rate 300 --count 3000
 * </pre>
 */
public final class WalPathProbe {

    private static final int PARALLEL = 24;

    private final S3ObjectStore store;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final byte[] object;
    private final int ranges;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    /** The sequence in every key, across the warm-up and the measured operations: no key is written twice. */
    private final AtomicLong sequence = new AtomicLong();
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();
    private final List<Connection> opened = new ArrayList<>();

    private WalPathProbe(S3ObjectStore store, String jdbcUrl, String user, String password, int objectBytes,
                         int ranges) {
        this.store = store;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.object = new byte[objectBytes];
        ThreadLocalRandom.current().nextBytes(object);
        this.ranges = ranges;
    }

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse(args);
        Class.forName("org.postgresql.Driver");
        int writers = Integer.parseInt(arguments.optional("writers", "3"));
        try (S3ObjectStore store = S3ObjectStore.open(S3Config.fromEnvironment(System.getenv()))) {
            WalPathProbe probe = new WalPathProbe(store, arguments.required("jdbc-url"), arguments.optional("user",
                "postgres"), arguments.optional("password", ""), Integer.parseInt(arguments.required("object-bytes")),
                Integer.parseInt(arguments.optional("ranges", "1")));
            probe.createTables(writers);
            try {
                double rate = Double.parseDouble(arguments.required("rate"));
                probe.run(Integer.parseInt(arguments.optional("warmup", "100")), rate, writers);
                long[][] measured = probe.run(Integer.parseInt(arguments.required("count")), rate, writers);
                System.out.println(report(measured));
            } finally {
                probe.dropTables();
                probe.closeConnections();
            }
        }
    }

    /** {@code count} operations at {@code rate} per second; per operation, nanoseconds of the PUT and the commit. */
    private long[][] run(int count, double rate, int writers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<long[]>> operations = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + (long) (i * 1e9 / rate);
                for (long left; (left = due - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(left);
                }
                int writer = i % writers;
                String key = "wal-probe/" + run + "/" + writer + "/" + String.format(Locale.ROOT, "%012d",
                    sequence.getAndIncrement());
                operations.add(pool.submit(() -> operation(key, writer)));
            }
            long[][] results = new long[count][];
            for (int i = 0; i < count; i++) {
                results[i] = operations.get(i).get(2, TimeUnit.MINUTES);
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private long[] operation(String key, int writer) throws Exception {
        long started = System.nanoTime();
        store.put(key, object, PutCondition.IF_ABSENT).get(1, TimeUnit.MINUTES);
        long put = System.nanoTime();
        commit(key, writer);
        return new long[] {put - started, System.nanoTime() - put};
    }

    private void commit(String key, int writer) throws SQLException {
        Connection connection = connection();
        try {
            try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO bench_probe_objects (object_key, writer, size_bytes, committed_at) VALUES (?, ?, ?, now())"
                    + " ON CONFLICT (object_key) DO NOTHING")) {
                insert.setString(1, key);
                insert.setInt(2, writer);
                insert.setLong(3, object.length);
                insert.executeUpdate();
            }
            try (PreparedStatement update = connection.prepareStatement(
                "UPDATE bench_probe_partitions SET committed_end = committed_end + 1"
                    + " WHERE writer = ? AND partition_index = ? AND committed_end >= 0")) {
                for (int partition = 0; partition < ranges; partition++) {
                    update.setInt(1, writer);
                    update.setInt(2, partition);
                    update.addBatch();
                }
                update.executeBatch();
            }
            try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO bench_probe_ranges (object_key, partition_index, writer, end_offset, position, length, batches)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                int length = object.length / ranges;
                for (int partition = 0; partition < ranges; partition++) {
                    insert.setString(1, key);
                    insert.setInt(2, partition);
                    insert.setInt(3, writer);
                    insert.setLong(4, partition);
                    insert.setLong(5, (long) partition * length);
                    insert.setInt(6, length);
                    insert.setBytes(7, new byte[48]); // one batch's producer id, epoch, sequences, max timestamp
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        Connection connection = connections.get();
        if (connection == null) {
            connection = DriverManager.getConnection(jdbcUrl, user, password);
            connection.setAutoCommit(false);
            connections.set(connection);
            synchronized (opened) {
                opened.add(connection);
            }
        }
        return connection;
    }

    private void createTables(int writers) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
             Statement statement = connection.createStatement()) {
            dropTables(statement);
            statement.execute("CREATE TABLE bench_probe_partitions (writer int, partition_index int,"
                + " committed_end bigint NOT NULL, PRIMARY KEY (writer, partition_index))");
            statement.execute("CREATE TABLE bench_probe_objects (object_key text PRIMARY KEY, writer int NOT NULL,"
                + " size_bytes bigint NOT NULL, committed_at timestamptz NOT NULL)");
            statement.execute("CREATE TABLE bench_probe_ranges (object_key text, partition_index int, writer int,"
                + " end_offset bigint, position bigint, length int, batches bytea,"
                + " PRIMARY KEY (object_key, partition_index))");
            for (int writer = 0; writer < writers; writer++) {
                for (int partition = 0; partition < ranges; partition++) {
                    statement.execute("INSERT INTO bench_probe_partitions VALUES (" + writer + ", " + partition + ", 0)");
                }
            }
        }
    }

    private void dropTables() throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
             Statement statement = connection.createStatement()) {
            dropTables(statement);
        }
    }

    private static void dropTables(Statement statement) throws SQLException {
        statement.execute("DROP TABLE IF EXISTS bench_probe_partitions, bench_probe_objects, bench_probe_ranges");
    }

    private void closeConnections() {
        synchronized (opened) {
            for (Connection connection : opened) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // closing anyway
                }
            }
        }
    }

    private static String report(long[][] measured) {
        long[] total = Arrays.stream(measured).mapToLong(op -> op[0] + op[1]).sorted().toArray();
        long[] puts = Arrays.stream(measured).mapToLong(op -> op[0]).sorted().toArray();
        long[] commits = Arrays.stream(measured).mapToLong(op -> op[1]).sorted().toArray();
        return String.format(Locale.ROOT, "probe n=%d p50=%.3f p99=%.3f p999=%.3f put_p50=%.3f put_p99=%.3f"
                + " commit_p50=%.3f commit_p99=%.3f", total.length, ms(total, 0.5), ms(total, 0.99), ms(total, 0.999),
            ms(puts, 0.5), ms(puts, 0.99), ms(commits, 0.5), ms(commits, 0.99));
    }

    /** The nearest-rank percentile of sorted nanoseconds, in milliseconds. */
    private static double ms(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
