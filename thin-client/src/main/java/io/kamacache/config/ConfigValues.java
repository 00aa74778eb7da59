package io.kamacache.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the text of configuration scalars into sizes, counts, durations, booleans and class
 * names. Each method throws {@link IllegalArgumentException} whose message says what was
 * expected and what was found; the parser adds the source, line and key.
 */
final class ConfigValues {

    private static final Pattern SIZE = Pattern.compile("([0-9]+)\\s*([A-Za-z]*)");
    private static final Pattern DURATION = Pattern.compile("([0-9]+)\\s*(us|ms|s|m|h|d)");
    private static final Pattern COUNT = Pattern.compile("[0-9]+");
    private static final Map<String, String> BOXES = Map.of("boolean", "java.lang.Boolean", "byte", "java.lang.Byte",
            "char", "java.lang.Character", "short", "java.lang.Short", "int", "java.lang.Integer", "long", "java.lang.Long",
            "float", "java.lang.Float", "double", "java.lang.Double");
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");
    private static final Map<String, Long> SIZE_UNITS = Map.of(
            "", 1L, "b", 1L,
            "kb", 1_000L, "mb", 1_000_000L, "gb", 1_000_000_000L,
            "kib", 1L << 10, "mib", 1L << 20, "gib", 1L << 30);
    private static final String SIZE_EXPECTED = "expected a size such as 64MiB or 1000000";
    private static final String DURATION_EXPECTED = "expected a duration such as 250us, 500ms, 30s, 10m, 2h, 1d or PT10M";

    private ConfigValues() {
    }

    /** A size in bytes: a plain integer, or one with a suffix B, KB, MB, GB (×1000) or KiB, MiB, GiB (×1024). */
    static long size(String text) {
        String trimmed = text.trim();
        if (trimmed.startsWith("-")) {
            throw new IllegalArgumentException("a size must not be negative, got '" + text + "'");
        }
        Matcher matcher = SIZE.matcher(trimmed);
        // Suffixes are matched without case: none of them is a bit count, so "mb" can only mean megabytes.
        Long unit = matcher.matches() ? SIZE_UNITS.get(matcher.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException(SIZE_EXPECTED + ", got '" + text + "'");
        }
        try {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large", e);
        }
    }

    /** A whole number of at least 0. */
    static long count(String text) {
        String trimmed = text.trim();
        if (trimmed.startsWith("-") && COUNT.matcher(trimmed.substring(1)).matches()) {
            throw new IllegalArgumentException("must not be negative, got " + trimmed);
        }
        if (!COUNT.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("expected a whole number such as 1000000, got '" + text + "'");
        }
        try {
            return Long.parseLong(trimmed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number '" + text + "' is too large", e);
        }
    }

    /** A class's binary name: Java identifiers joined by dots, {@code $} before a nested class's own name. */
    static String className(String text) {
        String trimmed = text.trim();
        String box = BOXES.get(trimmed);
        if (box != null) {
            throw new IllegalArgumentException(trimmed + " is a primitive type, not a class: name " + box);
        }
        if (!CLASS_NAME.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("expected a class name such as java.lang.String or com.example.Order$Line, got '"
                    + text + "'");
        }
        return trimmed;
    }

    /** A whole number within {@code int}. */
    static int intCount(String text) {
        long value = count(text);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("number '" + text + "' is too large");
        }
        return (int) value;
    }

    /**
     * A duration of at least zero: {@code 0}, a whole number with a unit {@code ms}, {@code s},
     * {@code m}, {@code h} or {@code d}, or ISO-8601 such as {@code PT10M}. A plain number other
     * than 0 is refused: whether it meant seconds or milliseconds would be a guess.
     *
     * @param word the word that stands for "no duration" here ({@code eternal} or
     *             {@code unchanged}), which gives {@code null}; null where there is none
     */
    static Duration duration(String text, String word) {
        String trimmed = text.trim();
        if (word != null && trimmed.equalsIgnoreCase(word)) {
            return null;
        }
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        String expected = word == null ? DURATION_EXPECTED : DURATION_EXPECTED + " or " + word;
        if (trimmed.startsWith("-")) {
            throw new IllegalArgumentException("a duration must not be negative, got '" + text + "'");
        }
        Duration duration;
        try {
            duration = trimmed.startsWith("P") || trimmed.startsWith("p") ? Duration.parse(trimmed) : units(trimmed);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(expected + ", got '" + text + "'", e);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too long", e);
        }
        if (duration == null) {
            throw new IllegalArgumentException(expected + ", got '" + text + "'");
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a duration must not be negative, got '" + text + "'");
        }
        return duration;
    }

    private static Duration units(String text) {
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            return null;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1000));
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** A TCP port, 0 (any free port) to 65535. */
    static int port(String text) {
        int port;
        try {
            port = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a port from 0 to 65535, got '" + text + "'", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("expected a port from 0 to 65535, got '" + text + "'");
        }
        return port;
    }

    /** {@code true} or {@code false}, ignoring case; YAML 1.1's yes/no/on/off are refused as ambiguous. */
    static boolean bool(String text) {
        String trimmed = text.trim();
        if (trimmed.equalsIgnoreCase("true")) {
            return true;
        }
        if (trimmed.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("expected true or false, got '" + text + "'");
    }
}
