package io.strata.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.index.GroupOffset;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.testing.PostgresServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * {@link MetadataOffsetStorage} over PostgreSQL (a throwaway server, a database per test; skipped with the reason
 * when PostgreSQL is not installed, failing under CI=true), plus what only a real database can show: an
 * unreachable database is COORDINATOR_NOT_AVAILABLE, a retriable error.
 */
class PostgresMetadataOffsetStorageTest extends MetadataOffsetStorageContractTest {

    @Override
    protected MetadataStore newStore() {
        return PostgresMetadataStore.open(PostgresServer.shared().createDatabase("group_offsets"), "strata-test");
    }

    @Test
    void anUnreachableDatabaseIsCoordinatorNotAvailableAndTheCommitWorksOnceItIsBack() {
        MetadataOffsetStorage storage = onOne;
        GroupOffset offset = offset("orders", 0, 5);
        PostgresServer server = PostgresServer.shared();

        server.stopServer();
        CompletableFuture<Void> commit;
        try {
            commit = storage.commit(epochOne, List.of(offset));
            assertThat(commit.handle((value, failure) -> OffsetStorage.errorOf(failure)).join())
                    .isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        } finally {
            server.startServer();
        }

        storage.commit(epochOne, List.of(offset)).join();
        assertThat(storage.fetch(GROUP).join()).containsExactly(offset);
    }
}
