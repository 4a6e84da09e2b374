package io.strata.loadtest.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the files the tool starts brokers from are, found from the tool's own location in a built
 * checkout: the tool runs from {@code loadtest/target/strata-loadtest.jar} (or, in tests, from
 * {@code loadtest/target/classes}), so {@code target/classpath.txt} (Kafka's server and tools jars, written
 * by the build) is beside it, {@code loadtest/conf} holds the Kafka broker's log configuration and the
 * Strata broker jar is {@code broker-vertx/target/strata-broker.jar} of the same checkout.
 */
record Layout(Path loadtestDir, Path strataJar) {

    static Layout ofThisCheckout() {
        try {
            Path codeSource = Path.of(Layout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path loadtestDir = codeSource.toAbsolutePath().getParent().getParent();
            return new Layout(loadtestDir,
                loadtestDir.getParent().resolve("broker-vertx").resolve("target").resolve("strata-broker.jar"));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where the tool runs from", e);
        }
    }

    Layout withStrataJar(Path jar) {
        return new Layout(loadtestDir, jar);
    }

    /**
     * The classpath of the helper JVMs a Strata cluster needs (S3 server, throttling proxy, wal-path probe): the
     * broker jar first (object store, S3Proxy, the PostgreSQL driver), then this tool's classes
     * ({@code target/classes}, without the jar's manifest classpath of Kafka's jars).
     */
    String childClasspath() {
        return strataJar + java.io.File.pathSeparator + loadtestDir.resolve("target").resolve("classes");
    }

    Path kafkaLogConfig() {
        return loadtestDir.resolve("conf").resolve("logback-kafka.xml");
    }

    /** The classpath Apache Kafka starts with: the runtime dependencies of loadtest, without the AWS SDK. */
    String kafkaClasspath() {
        Path file = loadtestDir.resolve("target").resolve("classpath.txt");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: build loadtest first (mvn -pl loadtest -am package)");
        }
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
