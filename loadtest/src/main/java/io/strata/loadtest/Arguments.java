package io.strata.loadtest;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line pairs of the helpers; a missing required one exits with status 2. */
record Arguments(Map<String, String> values) {

    static Arguments parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
            }
            values.put(args[i].substring(2), args[++i]);
        }
        return new Arguments(values);
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null) {
            System.err.println("missing --" + name);
            System.exit(2);
        }
        return value;
    }

    String optional(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }
}
