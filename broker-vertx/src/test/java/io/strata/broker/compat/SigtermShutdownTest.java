package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what {@code docker stop} sends) to a broker on its defaults, the embedded S3 server included: the
 * broker closes its logs and releases the claim of its bucket prefix while the embedded server still answers,
 * so the next start takes the prefix over at once and finds a clean shutdown.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SigtermShutdownTest {

    @TempDir
    Path dir;

    @Test
    void sigtermReleasesTheClaimThroughTheEmbeddedS3ServerBeforeItStops() throws Exception {
        Path data = dir.resolve("data");
        BrokerProcess broker = BrokerProcess.start(data, Map.of());

        long start = System.nanoTime();
        broker.stop();
        Duration stopping = Duration.ofNanos(System.nanoTime() - start);

        assertThat(broker.log()).contains("Released the claim of", "Broker stopped")
                .doesNotContain("Could not release the claim");
        // Well under a claim renewal interval (10 s by default): nothing waited for a server already gone
        assertThat(stopping).isLessThan(Duration.ofSeconds(8));

        BrokerProcess restarted = BrokerProcess.start(data, Map.of());
        try {
            assertThat(restarted.log()).contains("after a clean shutdown");
        } finally {
            restarted.close();
        }
    }
}
