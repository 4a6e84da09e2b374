package io.strata.objectstore.s3;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The {@code ObjectStore} contract against MinIO in a container. Needs a Docker engine that can pull
 * MinIO's image; without one every test is skipped with the reason. CI here has an engine (podman, see
 * docker/engine.sh) but no image registry, so the skip stays a skip under {@code CI=true} too; the S3Proxy
 * contract tests run the same cases there.
 */
class MinioObjectStoreTest extends S3ObjectStoreContractTest {
    private static final String IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z";
    private static final String BUCKET = "contract";

    private static MinIOContainer minio;
    private static String unavailable = "no Docker engine here";

    @BeforeAll
    static void startMinio() {
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return; // each test then skips with the reason, in serverConfig()
            }
            minio = new MinIOContainer(IMAGE);
            minio.start();
        } catch (RuntimeException e) {
            // An engine without a registry: Testcontainers cannot pull its own helper image or MinIO's.
            unavailable = "the Docker engine could not start " + IMAGE + " (" + e + ")";
            minio = null;
            return;
        }
        try (S3AsyncClient admin = S3AsyncClient.builder()
                .endpointOverride(URI.create(minio.getS3URL()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(minio.getUserName(), minio.getPassword())))
                .build()) {
            admin.createBucket(b -> b.bucket(BUCKET)).join();
        }
    }

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.stop();
        }
    }

    @Override
    protected S3Config.Builder serverConfig() {
        assumeTrue(minio != null,
                unavailable + ": MinIO contract tests skipped (S3ProxyObjectStoreTest runs the same tests)");
        return S3Config.builder(BUCKET)
                .endpoint(URI.create(minio.getS3URL()))
                .credentials(minio.getUserName(), minio.getPassword())
                .pathStyle(true);
    }
}
