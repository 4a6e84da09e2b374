package io.strata.tiering.log;

import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of segment files: the base offset zero-padded to 20 digits, as Kafka names them, so that
 * {@code ls} sorts a partition directory by offset. Example: {@code 00000000000000004096.log}.
 * A segment being removed is renamed to {@code <name>.log.deleted} first. Stateless.
 */
public final class SegmentFiles {

    public static final String LOG_SUFFIX = ".log";
    public static final String DELETED_SUFFIX = ".deleted";
    private static final Pattern LOG_NAME = Pattern.compile("(\\d{20})\\.log");

    private SegmentFiles() {
    }

    public static String fileName(long baseOffset) {
        return String.format("%020d", baseOffset) + LOG_SUFFIX;
    }

    public static Path path(Path partitionDir, long baseOffset) {
        return partitionDir.resolve(fileName(baseOffset));
    }

    /** The base offset encoded in a segment file name, or empty for any other file. */
    public static OptionalLong baseOffsetOf(Path file) {
        Matcher matcher = LOG_NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }
}
