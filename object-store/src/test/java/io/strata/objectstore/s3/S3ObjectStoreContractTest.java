package io.strata.objectstore.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.ObjectStoreContractTest;

/** The {@code ObjectStore} contract for {@link S3ObjectStore}; subclasses bring the server. */
abstract class S3ObjectStoreContractTest extends ObjectStoreContractTest {

    /** Client settings for the server under test (endpoint, bucket, credentials). */
    protected abstract S3Config.Builder serverConfig();

    @Override
    protected ObjectStore openStore(String prefix) {
        return S3ObjectStore.open(serverConfig().prefix(prefix).partSize(partSize()).build());
    }

    @Override
    protected long partSize() {
        return S3Config.MIN_PART_SIZE;
    }

    /** S3 gives an object that was uploaded in N parts an ETag ending in {@code -N}. */
    @Override
    protected void assertUploadedInParts(ObjectInfo info, int parts) {
        assertThat(info.etag()).endsWith("-" + parts);
    }
}
