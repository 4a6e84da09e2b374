package io.strata.metadata.postgres;

import io.strata.metadata.MetadataException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs one unit of work on a pooled connection, as one transaction at READ COMMITTED, retried when the
 * database asks for it (serialization failure 40001, deadlock 40P01; CLUSTER.md rule 7). Any other failure is a
 * {@link MetadataException}: nothing was decided that the caller can rely on, and it re-reads before deciding
 * again.
 */
final class Sql {

    /** Work on a connection whose transaction commits when it returns. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final int ATTEMPTS = 5;

    private final DataSource dataSource;

    Sql(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    <T> T transaction(String what, Work<T> work) {
        SQLException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    T result = work.run(connection);
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(connection);
                    throw e;
                }
            } catch (SQLException e) {
                last = e;
                if (!retriable(e)) {
                    break;
                }
                backOff(attempt);
            }
        }
        throw new MetadataException("The metadata database could not " + what + ": " + message(last), last);
    }

    private static boolean retriable(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
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

    private static String message(SQLException e) {
        return e == null ? "unknown error" : e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")";
    }
}
