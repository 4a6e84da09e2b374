package io.strata.metadata.postgres;

import io.strata.metadata.MetadataException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Runs one unit of work on a pooled connection, as one transaction at READ COMMITTED. It is tried again, on
 * another connection, when it failed before its commit was sent, for a reason that says nothing about the work:
 * a serialization failure or deadlock (40001, 40P01; CLUSTER.md rule 7), or a connection that died under it
 * (class 08, or the server shutting down or restarting: 57P01-57P03; after a database restart the pool still
 * holds connections to the old server). Nothing was committed then, so trying again is safe. A failure of the
 * commit itself, or of getting a connection at all (the pool already waited its timeout), is a
 * {@link MetadataException}: the outcome is unknown, and the caller re-reads before deciding again.
 */
final class Sql {

    /** Work on a connection whose transaction commits when it returns. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final int ATTEMPTS = 5;
    private static final Set<String> RETRIABLE = Set.of("40001", "40P01", "57P01", "57P02", "57P03");

    private final DataSource dataSource;

    Sql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    <T> T transaction(String what, Work<T> work) {
        SQLException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Connection connection;
            try {
                connection = dataSource.getConnection();
            } catch (SQLException e) {
                throw failure(what, e);
            }
            try (connection) {
                connection.setAutoCommit(false);
                T result;
                try {
                    result = work.run(connection);
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(connection);
                    throw e;
                }
                try {
                    connection.commit();
                } catch (SQLException e) {
                    throw failure(what + " (the commit's outcome is unknown)", e);
                }
                return result;
            } catch (SQLException e) {
                last = e;
                if (!retriable(e)) {
                    break;
                }
                backOff(attempt);
            }
        }
        throw failure(what, last);
    }

    private static boolean retriable(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || RETRIABLE.contains(state));
    }

    private static MetadataException failure(String what, SQLException e) {
        String message = e == null ? "unknown error" : e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")";
        return new MetadataException("The metadata database could not " + what + ": " + message, e);
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(10L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
