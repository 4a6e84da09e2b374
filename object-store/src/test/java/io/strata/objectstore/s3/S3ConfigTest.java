package io.strata.objectstore.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3ConfigTest {

    @Test
    void readsEveryStrataS3Variable() {
        S3Config config = S3Config.fromEnvironment(Map.of(
                "STRATA_S3_ENDPOINT", "http://minio:9000",
                "STRATA_S3_REGION", "eu-west-1",
                "STRATA_S3_BUCKET", "tiered",
                "STRATA_S3_PREFIX", "cluster-a",
                "STRATA_S3_ACCESS_KEY", "minioadmin",
                "STRATA_S3_SECRET_KEY", "minioadmin-secret",
                "STRATA_S3_PATH_STYLE", "false"));

        assertThat(config.endpoint()).contains(URI.create("http://minio:9000"));
        assertThat(config.region()).isEqualTo("eu-west-1");
        assertThat(config.bucket()).isEqualTo("tiered");
        assertThat(config.prefix()).isEqualTo("cluster-a/");
        assertThat(config.accessKey()).contains("minioadmin");
        assertThat(config.secretKey()).contains("minioadmin-secret");
        assertThat(config.pathStyle()).isFalse();
        assertThat(config.toString()).doesNotContain("minioadmin-secret");
    }

    @Test
    void withoutVariablesUsesTheDefaultsAndTheDefaultCredentialChain() {
        S3Config config = S3Config.fromEnvironment(Map.of("STRATA_S3_PREFIX", " "));

        assertThat(config.endpoint()).isEmpty();
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.bucket()).isEqualTo("strata");
        assertThat(config.prefix()).isEmpty();
        assertThat(config.hasStaticCredentials()).isFalse();
        assertThat(config.pathStyle()).isTrue();
        assertThat(config.partSize()).isEqualTo(128L * 1024 * 1024);
    }

    @Test
    void refusesOnlyOneOfTheTwoKeys() {
        assertThatThrownBy(() -> S3Config.fromEnvironment(Map.of("STRATA_S3_ACCESS_KEY", "ak")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRATA_S3_SECRET_KEY");
    }

    @Test
    void refusesPartsBelowS3sMinimum() {
        assertThatThrownBy(() -> S3Config.builder("b").partSize(1024 * 1024).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5 MiB");
    }

    @Test
    void aPrefixGetsATrailingSlashAndAnEmptyOneStaysEmpty() {
        S3Config config = S3Config.builder("b").prefix("strata").build();

        assertThat(config.prefix()).isEqualTo("strata/");
        assertThat(config.withPrefix("").prefix()).isEmpty();
        assertThat(config.withPrefix("a/b/").prefix()).isEqualTo("a/b/");
    }
}
