package io.strata.tiering.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.tiering.remote.RemoteLayout.WalKey;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link RemoteLayout#walKeyOf}: a WAL key parses back to what {@link RemoteLayout#walObject} wrote, nothing else. */
class RemoteLayoutWalKeyTest {

    private static final UUID INCARNATION = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    @Test
    void aKeyTheWriterMakesParsesBackToItsNodeIncarnationAndSequence() {
        String key = RemoteLayout.walObject(3, INCARNATION, 42);

        assertThat(key).isEqualTo("wal/3/" + INCARNATION + "/00000000000000000042.wal");
        assertThat(RemoteLayout.walKeyOf(key)).hasValue(new WalKey(3, INCARNATION, 42));
        assertThat(RemoteLayout.walIncarnationOf(key)).hasValue(INCARNATION);
    }

    @Test
    void keysInFormsTheWriterNeverMakesAreNotWalKeys() {
        assertThat(RemoteLayout.walKeyOf("wal/3/" + INCARNATION + "/42.wal")).isEmpty(); // not zero-padded
        assertThat(RemoteLayout.walKeyOf("wal/+3/" + INCARNATION + "/00000000000000000042.wal")).isEmpty();
        assertThat(RemoteLayout.walKeyOf("wal/3/1-2-3-4-5/00000000000000000042.wal")).isEmpty(); // lenient UUID
        assertThat(RemoteLayout.walKeyOf("wal/3/" + INCARNATION + "/x/00000000000000000042.wal")).isEmpty();
        assertThat(RemoteLayout.walKeyOf("wal/3/" + INCARNATION + "/00000000000000000042.log")).isEmpty();
        assertThat(RemoteLayout.walKeyOf("wal/readme.txt")).isEmpty();
        assertThat(RemoteLayout.walIncarnationOf("wal/3/" + INCARNATION + "/abc.wal")).isEmpty();
    }
}
