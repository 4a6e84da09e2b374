package io.strata.broker.group;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Exit;

/**
 * Runs a Kafka CLI tool's {@code main} in-process and returns what it printed, Java tools
 * ({@code System.out}) and Scala ones ({@code scala.Console}, bound to the JVM's first {@code System.out})
 * alike. A call of {@code Exit.exit} with a non-zero status fails the run, one with status 0 returns; the
 * tool's own exit calls never end the test JVM. Not for concurrent use.
 */
public final class KafkaTool {

    private KafkaTool() {
    }

    /** Output (stdout and stderr) of {@code main(args)}. */
    public static synchronized String run(Consumer<String[]> main, String... args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            System.setErr(capture);
            // A successful exit returns: some tools (kafka-topics) call Exit.exit(0) inside the try block whose
            // catch would report any exception as a failure; the JVM would have ended there, the tool does nothing more.
            Exit.setExitProcedure((status, message) -> {
                if (status != 0) {
                    throw new ToolExit(status, message);
                }
            });
            try {
                scala.Console.withOut(capture, () -> scala.Console.withErr(capture, () -> {
                    main.accept(args);
                    return null;
                }));
            } catch (ToolExit exit) {
                if (exit.status != 0) {
                    throw new AssertionError("Tool exited with " + exit.status + " (" + exit.getMessage() + "): "
                            + captured.toString(StandardCharsets.UTF_8));
                }
            }
        } finally {
            Exit.resetExitProcedure();
            System.setOut(out);
            System.setErr(err);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        out.println(output);
        return output;
    }

    /** A tool's {@code main}; some declare {@code throws Exception}. */
    public interface ToolMain {
        void main(String[] args) throws Exception;
    }

    /** Output of {@code main("--bootstrap-server", bootstrap, args...)}; an exception the tool throws fails the run. */
    public static String runAgainst(String bootstrap, ToolMain main, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = bootstrap;
        System.arraycopy(args, 0, all, 2, args.length);
        return run(toolArgs -> {
            try {
                main.main(toolArgs);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("The tool failed: " + e, e);
            }
        }, all);
    }

    private static final class ToolExit extends RuntimeException {
        final int status;

        ToolExit(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
