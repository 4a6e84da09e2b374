package io.strata.loadtest.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar loadtest/target/strata-loadtest.jar bench ...}; see {@link BenchCommand}. */
@Command(name = "strata-loadtest", mixinStandardHelpOptions = true, subcommands = BenchCommand.class,
    description = "Benchmarks Kafka-compatible brokers with the stock Java client; run 'bench --help'.")
public final class LoadtestMain implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadtestMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
