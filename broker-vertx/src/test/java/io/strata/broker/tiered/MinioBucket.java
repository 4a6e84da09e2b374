package io.strata.broker.tiered;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import static org.assertj.core.api.Assertions.assertThat;

import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import io.strata.tiering.remote.RemoteLayout;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;

/**
 * Looks into the bucket with the MinIO Java client, a second S3 client independent of the AWS SDK
 * that the broker writes with. Keys are given and returned relative to the test's prefix.
 */
final class MinioBucket {

    private final MinioClient client;
    private final String bucket;
    private final String prefix;

    /** Inspects {@code server}'s bucket under {@code prefix} (a server restarted on the same port is the same). */
    MinioBucket(S3ProxyServer server, String prefix) {
        this.client = MinioClient.builder()
                .endpoint(server.endpoint().toString())
                .region(S3ProxyServer.REGION)
                .credentials(server.settings().accessKey(), server.settings().secretKey())
                .build();
        this.bucket = server.settings().bucket();
        this.prefix = prefix;
    }

    /** Every object under {@code keyPrefix} (relative to the test's prefix), key to size, sorted by key. */
    Map<String, Long> list(String keyPrefix) {
        Map<String, Long> objects = new TreeMap<>();
        try {
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(bucket)
                    .prefix(prefix + keyPrefix).recursive(true).build())) {
                Item item = result.get();
                objects.put(item.objectName().substring(prefix.length()), item.size());
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not list " + prefix + keyPrefix + ": " + e, e);
        }
        return objects;
    }

    Map<String, Long> listAll() {
        return list("");
    }

    /** Writes an object (relative to the test's prefix), as anyone with write access to the bucket could. */
    void put(String key, byte[] bytes) {
        try {
            client.putObject(io.minio.PutObjectArgs.builder().bucket(bucket).object(prefix + key)
                    .stream(new java.io.ByteArrayInputStream(bytes), bytes.length, -1).build());
        } catch (Exception e) {
            throw new IllegalStateException("could not put " + prefix + key + ": " + e, e);
        }
    }

    byte[] get(String key) {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(prefix + key)
                .build())) {
            return in.readAllBytes();
        } catch (io.minio.errors.ErrorResponseException e) {
            // An assertion failure, not an error, so that a test awaiting the object keeps polling.
            AssertionError missing = new AssertionError("the bucket has no object " + prefix + key + ": "
                    + e.errorResponse().code());
            missing.initCause(e);
            throw missing;
        } catch (Exception e) {
            throw new IllegalStateException("could not get " + prefix + key + ": " + e, e);
        }
    }

    /** The partition's manifest as the bucket holds it. */
    PartitionManifest manifest(TopicPartition tp, UUID topicId) {
        return PartitionManifest.fromJson(get(RemoteLayout.partitionManifest(tp, topicId)));
    }

    /**
     * Checks that the manifest of {@code tp} and the partition's objects agree: every segment it lists
     * exists with the listed size, next to its index, and no segment or index object is unlisted.
     *
     * @return the manifest
     */
    PartitionManifest assertManifestMatchesObjects(TopicPartition tp, UUID topicId) {
        PartitionManifest manifest = manifest(tp, topicId);
        String folder = RemoteLayout.partitionPrefix(tp, topicId);
        Map<String, Long> objects = new HashMap<>(list(folder));
        objects.remove(folder + "manifest.json");
        for (ManifestSegment segment : manifest.segments()) {
            assertThat(objects.remove(folder + segment.object())).as("size of %s", segment.object())
                    .isEqualTo(segment.sizeBytes());
            assertThat(objects.remove(folder + segment.index())).as("index %s", segment.index()).isNotNull();
        }
        assertThat(objects).as("objects of %s that its manifest does not list", tp).isEmpty();
        return manifest;
    }
}
