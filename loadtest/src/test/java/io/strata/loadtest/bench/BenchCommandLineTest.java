package io.strata.loadtest.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Options the tool refuses before it starts anything (exit status 2), and where its output goes. */
class BenchCommandLineTest {

    @TempDir
    Path dir;

    @Test
    void refusesToRunWithoutATarget() {
        assertThat(LoadtestMain.execute("bench", "--out", dir.toString())).isEqualTo(2);
        assertThat(dir.resolve("results.json")).doesNotExist();
    }

    @Test
    void refusesAnUnknownBrokerToStart() {
        assertThat(LoadtestMain.execute("bench", "--start", "redpanda", "--out", dir.toString())).isEqualTo(2);
    }

    @Test
    void refusesAnUnknownScenario() {
        assertThat(LoadtestMain.execute("bench", "--bootstrap", "127.0.0.1:1", "--scenarios", "produce-fast")).isEqualTo(2);
    }

    @Test
    void theDefaultsPassTheChecksForBothSystemsAndEveryScenario() {
        BenchCommand command = new BenchCommand();
        new picocli.CommandLine(command).parseArgs("--start", "strata,kafka");

        command.validate(); // throws ParameterException when a default cannot run
    }

    @Test
    void refusesACatchUpThatSealsNoSegment() {
        assertThat(LoadtestMain.execute("--start", "strata", "--scenarios", "catchup-cold", "--catchup-mib", "2",
            "--catchup-segment-bytes", "1048576", "--out", dir.toString())).isEqualTo(2);
    }

    @Test
    void aScenarioThatCannotRunOnAnExternalBrokerIsReportedNotApplicable() throws Exception {
        // catchup-cold needs a Strata broker the tool started, so nothing connects to this bootstrap
        int status = LoadtestMain.execute("--target", "kafka=127.0.0.1:1", "--scenarios", "catchup-cold",
            "--warmup-records", "0", "--out", dir.toString());

        assertThat(status).isZero();
        assertThat(Files.readString(dir.resolve("results.json"))).contains("\"notApplicable\"");
        assertThat(Files.readString(dir.resolve("results.md"))).contains("| catchup-cold | MiB/s | n/a |");
        assertThat(dir.resolve("chart.png")).isNotEmptyFile();
    }

    @Test
    void theClusterSystemsPassTheChecks() {
        BenchCommand command = new BenchCommand();
        new picocli.CommandLine(command).parseArgs("--start", "strata-cluster,kafka-cluster,strata-cluster-slow-s3");

        command.validate();
    }

    @Test
    void refusesWalPathWithoutTheFixedRateRunItImitates() {
        assertThat(LoadtestMain.execute("--start", "strata-cluster", "--scenarios", "wal-path", "--out",
            dir.toString())).isEqualTo(2);
    }

    @Test
    void refusesASlowStoreDelayThatIsNoRange() {
        assertThat(LoadtestMain.execute("--start", "strata-cluster-slow-s3", "--slow-s3-first-byte-ms", "slow",
            "--out", dir.toString())).isEqualTo(2);
    }
}
