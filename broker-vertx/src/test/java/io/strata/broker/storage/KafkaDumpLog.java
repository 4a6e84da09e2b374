package io.strata.broker.storage;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs Apache Kafka's {@code kafka-dump-log} ({@code kafka.tools.DumpLogSegments}) in this JVM, for tests. */
public final class KafkaDumpLog {

    private KafkaDumpLog() {
    }

    /**
     * What {@code kafka-dump-log --files segment --print-data-log --deep-iteration} prints. The file
     * name must be Kafka's: the 20-digit base offset and {@code .log}.
     */
    public static String dump(Path segment) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // The tool prints with Scala's println, whose Console.out is bound to System.out once per JVM:
        // redirect that, not System.out.
        scala.Console.withOut(new PrintStream(captured, true, StandardCharsets.UTF_8), () -> {
            kafka.tools.DumpLogSegments.main(new String[] {"--files", segment.toString(), "--print-data-log",
                    "--deep-iteration"});
            return null;
        });
        return captured.toString(StandardCharsets.UTF_8);
    }
}
