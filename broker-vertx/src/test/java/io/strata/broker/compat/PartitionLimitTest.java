package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CreateTopics and CreatePartitions beyond the broker's {@code strata.max.partitions} are refused with
 * INVALID_PARTITIONS and a message naming the limit, before anything is created (issue 12, defect 7: a
 * {@code --partitions 20000} exhausted the open files and left the broker unable to start).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PartitionLimitTest {

    @RegisterExtension
    final InProcessBroker broker = InProcessBroker.local(Map.of("strata.max.partitions", "10"));

    @Test
    void topicsAndPartitionsBeyondTheBrokersLimitAreRefusedWithInvalidPartitions() throws Exception {
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            // When a topic of 20,000 partitions is asked for, then (validate only) one of 11
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("huge", 20_000, (short) 1))).all().get())
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(InvalidPartitionsException.class)
                    .hasMessageContaining("strata.max.partitions");
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("eleven", 11, (short) 1)),
                    new CreateTopicsOptions().validateOnly(true)).all().get())
                    .cause().isInstanceOf(InvalidPartitionsException.class);

            // Then nothing of them exists, and a topic within the limit is created
            assertThat(admin.listTopics().names().get()).doesNotContain("huge", "eleven");
            admin.createTopics(List.of(new NewTopic("fits", 8, (short) 1))).all().get();

            // And raising it beyond the limit is refused, leaving it as it was
            assertThatThrownBy(() -> admin.createPartitions(Map.of("fits", NewPartitions.increaseTo(12))).all().get())
                    .cause().isInstanceOf(InvalidPartitionsException.class)
                    .hasMessageContaining("limit of 10 partitions");
            assertThat(admin.describeTopics(List.of("fits")).allTopicNames().get().get("fits").partitions())
                    .hasSize(8);
            admin.createPartitions(Map.of("fits", NewPartitions.increaseTo(10))).all().get();
        }
    }
}
