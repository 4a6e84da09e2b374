package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code kcat -G} (librdkafka's balanced consumer) reads through a consumer group and commits its offsets. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KcatConsumerGroupTest {

    private static final String TOPIC = "kcat-group";
    private static final String GROUP = "kcat-group-1";
    private static final int PARTITIONS = 3;

    @RegisterExtension
    final InProcessBroker broker = InProcessBroker.local(Map.of("group.initial.rebalance.delay.ms", "200"));

    @Test
    void kcatInAGroupReadsEveryRecordAndTheGroupResumesAfterIt() throws Exception {
        // Given kcat and 4 records in each of 3 partitions
        Path kcat = ExternalTool.kcat();
        List<String> values = Clients.createAndFill(broker.bootstrapServers(), TOPIC, PARTITIONS, 4);

        // When kcat consumes them as a member of a group, then exits
        ExternalTool.Result result = ExternalTool.run(List.of(kcat.toString(), "-b", broker.bootstrapServers(),
                        "-G", GROUP, "-o", "beginning", "-c", Integer.toString(values.size()), "-q", "-f", "%s\\n",
                        "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100", TOPIC),
                Path.of("."), "", Duration.ofSeconds(60));

        // Then it printed every record once, and the group's committed offsets are at the end of every partition
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout().lines().toList()).containsExactlyInAnyOrderElementsOf(values);
        assertThat(Clients.committedOffsets(broker.bootstrapServers(), GROUP).values())
                .hasSize(PARTITIONS).containsOnly(4L);
    }
}
