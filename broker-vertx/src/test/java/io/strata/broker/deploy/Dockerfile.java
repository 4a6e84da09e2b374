package io.strata.broker.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Dockerfile read as its instructions, grouped by build stage: enough to check what an image does
 * without a Docker engine, not a full parser (no parser directives, heredocs or variable expansion).
 * Continuation lines ({@code \} at the end) are joined; comment and empty lines are dropped, also inside
 * a continuation, as Docker does.
 *
 * @param stages the stages in file order; the last one is the image
 */
record Dockerfile(List<Stage> stages) {

    /** One instruction: its keyword in upper case and the rest of the (joined) line. */
    record Instruction(String keyword, String arguments) {}

    /**
     * @param name the stage's {@code AS} name, if any
     * @param instructions the instructions after its {@code FROM}
     */
    record Stage(String image, Optional<String> name, List<Instruction> instructions) {

        List<String> arguments(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
        }

        /** The user the stage's commands, and for the last stage the container, run as: its last {@code USER}. */
        Optional<String> user() {
            List<String> users = arguments("USER");
            return users.isEmpty() ? Optional.empty() : Optional.of(users.get(users.size() - 1));
        }
    }

    static Dockerfile parse(String text) {
        List<Stage> stages = new ArrayList<>();
        List<Instruction> current = null;
        StringBuilder line = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String trimmed = raw.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                line.append(trimmed.substring(0, trimmed.length() - 1).strip()).append(' ');
                continue;
            }
            line.append(trimmed);
            String[] parts = line.toString().strip().split("\\s+", 2);
            line.setLength(0);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+");
                Optional<String> name = from.length == 3 && from[1].equalsIgnoreCase("AS")
                        ? Optional.of(from[2]) : Optional.empty();
                current = new ArrayList<>();
                stages.add(new Stage(from[0], name, current));
            } else if (current == null) {
                throw new IllegalArgumentException("instruction before the first FROM: " + instruction);
            } else {
                current.add(instruction);
            }
        }
        return new Dockerfile(List.copyOf(stages));
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> s.name().equals(Optional.of(name))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage " + name));
    }
}
