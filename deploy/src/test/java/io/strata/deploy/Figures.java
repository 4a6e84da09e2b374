package io.strata.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a deployment test measured, written as a Markdown table to {@code deploy/target/<file>} and printed. */
final class Figures {

    private final String file;
    private final Map<String, String> measured = new LinkedHashMap<>();

    Figures(String file) {
        this.file = file;
    }

    void put(String what, String value) {
        measured.put(what, value);
    }

    void write() throws IOException {
        StringBuilder table = new StringBuilder("| what | measured |\n|---|---|\n");
        measured.forEach((what, value) -> table.append("| ").append(what).append(" | ").append(value).append(" |\n"));
        Files.writeString(Engine.RESULTS.resolve(file), table);
        System.out.println(file + ":\n" + table);
    }

    static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1048576.0);
    }

    static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }
}
