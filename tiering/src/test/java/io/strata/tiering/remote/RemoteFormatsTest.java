package io.strata.tiering.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import io.strata.index.TopicRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The byte and JSON layouts the remote tier owns: sidecars, manifests, object keys. */
class RemoteFormatsTest {

    private static final UUID TOPIC_ID = UUID.fromString("e47b3d6d-6ab7-449d-9b9b-66b442f3a23c");

    private static SegmentSidecar sidecar() {
        return new SegmentSidecar(1000, 2000, 4096,
                List.of(new SegmentSidecar.OffsetEntry(1000, 0), new SegmentSidecar.OffsetEntry(1500, 40960)),
                List.of(new SegmentSidecar.TimeEntry(1_700_000_000_000L, 1499),
                        new SegmentSidecar.TimeEntry(1_700_000_000_900L, 1999)));
    }

    @Test
    void sidecarRoundTripsAndStartsWithItsMagic() {
        byte[] bytes = sidecar().encode();

        assertThat(new String(bytes, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("SIDX");
        assertThat(bytes).hasSize(4 + 1 + 8 + 8 + 4 + 4 + 2 * 12 + 4 + 2 * 16 + 4);
        assertThat(SegmentSidecar.decode(bytes)).isEqualTo(sidecar());
    }

    @Test
    void corruptOrTruncatedSidecarsAreRejected() {
        byte[] bytes = sidecar().encode();
        byte[] flipped = bytes.clone();
        flipped[30] ^= 1;
        assertThatThrownBy(() -> SegmentSidecar.decode(flipped)).hasMessageContaining("checksum");
        assertThatThrownBy(() -> SegmentSidecar.decode(java.util.Arrays.copyOf(bytes, 20)))
                .hasMessageContaining("too short");
        byte[] badMagic = bytes.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> SegmentSidecar.decode(badMagic)).hasMessageContaining("magic");
    }

    @Test
    void partitionManifestRoundTripsThroughReadableJson() {
        RemoteSegment segment = new RemoteSegment(0, 52345, 268_435_000L, 1_764_558_000_000L, 1_764_558_123_456L,
                52344, 0x8a9136aa, 1_764_558_124_511L, RemoteSegmentState.COPY_FINISHED);
        PartitionManifest manifest = PartitionManifest.of("orders", RemoteLayout.kafkaId(TOPIC_ID), 0, 0, 2,
                List.of(segment));

        String json = new String(manifest.toJson(), StandardCharsets.UTF_8);

        assertThat(json).contains("\"object\" : \"00000000000000000000.log\"", "\"crc32c\" : \"8a9136aa\"",
                "\"uploadTime\" : \"2025-12-01T03:02:04.511Z\"", "\"lastOffset\" : 52344",
                "\"writerGeneration\" : 2");
        PartitionManifest parsed = PartitionManifest.fromJson(manifest.toJson());
        assertThat(parsed).isEqualTo(manifest);
        assertThat(parsed.segments().get(0).toRemoteSegment()).isEqualTo(segment);
    }

    @Test
    void manifestsOfAnUnknownVersionAreRefused() {
        byte[] json = "{\"version\":2,\"topic\":\"t\",\"topicId\":\"x\",\"partition\":0,\"logStartOffset\":0,\"segments\":[]}"
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PartitionManifest.fromJson(json)).hasMessageContaining("version 2");
    }

    @Test
    void topicManifestRoundTrips() {
        TopicRecord topic = new TopicRecord("orders", TOPIC_ID, 3, (short) 1, Map.of("retention.ms", "1000"),
                1_764_558_000_000L);

        assertThat(TopicManifest.fromJson(TopicManifest.of(topic).toJson()).toTopicRecord()).isEqualTo(topic);
    }

    @Test
    void objectKeysAreReadableAndSortByOffset() {
        TopicPartition tp = new TopicPartition("orders", 2);
        String id = RemoteLayout.kafkaId(TOPIC_ID);

        assertThat(RemoteLayout.segment(tp, TOPIC_ID, 52345))
                .isEqualTo("topics/orders-" + id + "/2/00000000000000052345.log");
        assertThat(RemoteLayout.index(tp, TOPIC_ID, 7)).isEqualTo("topics/orders-" + id + "/2/00000000000000000007.index");
        assertThat(RemoteLayout.partitionManifest(tp, TOPIC_ID)).isEqualTo("topics/orders-" + id + "/2/manifest.json");
        assertThat(RemoteLayout.segment(tp, TOPIC_ID, 999)).isLessThan(RemoteLayout.segment(tp, TOPIC_ID, 1000));
        assertThat(RemoteLayout.fromKafkaId(id)).isEqualTo(TOPIC_ID);
    }
}
