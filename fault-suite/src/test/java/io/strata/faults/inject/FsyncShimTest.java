package io.strata.faults.inject;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.faults.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fsync shim in a child JVM: fsync and fdatasync fail while armed, on files under the prefix only. */
@Timeout(120)
class FsyncShimTest {

    @TempDir
    Path dir;

    private FsyncShim shim;

    @BeforeEach
    void build() throws Exception {
        FsyncShim.Result built = FsyncShim.build(dir.resolve("shim"));
        if (built.shim().isEmpty()) {
            Prerequisites.skipOrFail("the fsync shim could not be built: " + built.message());
        }
        shim = built.shim().orElseThrow();
    }

    private String probe(Path file, Path prefix) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                FsyncProbe.class.getName(), file.toString()).redirectErrorStream(true);
        builder.environment().putAll(shim.environment(prefix));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("probe finished: %s", output).isTrue();
        return output;
    }

    @Test
    void fsyncWorksWhileDisarmed() throws Exception {
        dir.resolve("log").toFile().mkdirs();

        assertThat(probe(dir.resolve("log/a"), dir.resolve("log/"))).contains("fsync ok", "fdatasync ok");
        assertThat(shim.injected()).isZero();
    }

    @Test
    void fsyncAndFdatasyncFailWhileArmedUnderThePrefix() throws Exception {
        dir.resolve("log").toFile().mkdirs();
        shim.arm();

        assertThat(probe(dir.resolve("log/a"), dir.resolve("log/"))).contains("fsync failed", "fdatasync failed");
        assertThat(shim.injected()).isEqualTo(2);
    }

    @Test
    void filesOutsideThePrefixAreNotTouched() throws Exception {
        shim.arm();

        assertThat(probe(dir.resolve("other"), dir.resolve("log/"))).contains("fsync ok", "fdatasync ok");
        assertThat(shim.injected()).isZero();
    }

    @Test
    void disarmingRestoresFsync() throws Exception {
        dir.resolve("log").toFile().mkdirs();
        shim.arm();
        shim.disarm();

        assertThat(probe(dir.resolve("log/a"), dir.resolve("log/"))).contains("fsync ok", "fdatasync ok");
    }

    @Test
    void theEnvironmentPreloadsTheLibrary() {
        Map<String, String> environment = shim.environment(dir);
        assertThat(environment.get("LD_PRELOAD")).endsWith("libfsyncfail.so");
    }
}
