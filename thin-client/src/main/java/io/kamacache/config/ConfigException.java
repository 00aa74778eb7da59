package io.kamacache.config;

import java.util.Objects;

/**
 * A configuration that cannot be used, with where the problem is: the source (a URI such as
 * {@code classpath:app-cache.yaml} or {@code file:/etc/kamacache.yaml}), the 1-based line of
 * the offending YAML node (0 when the problem is not tied to a line, such as a missing file)
 * and the dotted path of the offending key ({@code caches.users.maxBytes}, or {@code ""} for
 * the whole file). {@link #getMessage()} puts them together as
 * {@code classpath:app.yaml:7: caches.users.maxBytes: expected a size such as 64MiB or 1000000, got 'lots'}.
 */
public final class ConfigException extends RuntimeException {

    private final String source;
    private final int line;
    private final String key;
    private final String problem;

    /**
     * @param source  where the configuration came from
     * @param line    1-based line of the offending node, or 0
     * @param key     dotted path of the offending key, or {@code ""}
     * @param problem what is wrong, in words
     */
    public ConfigException(String source, int line, String key, String problem) {
        this(source, line, key, problem, null);
    }

    /** As {@link #ConfigException(String, int, String, String)}, keeping the exception that revealed the problem. */
    public ConfigException(String source, int line, String key, String problem, Throwable cause) {
        super(format(source, line, key, problem), cause);
        if (line < 0) {
            throw new IllegalArgumentException("line must be 0 or positive, was " + line);
        }
        this.source = Objects.requireNonNull(source, "source");
        this.line = line;
        this.key = Objects.requireNonNull(key, "key");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    private static String format(String source, int line, String key, String problem) {
        StringBuilder message = new StringBuilder(String.valueOf(source));
        if (line > 0) {
            message.append(':').append(line);
        }
        message.append(": ");
        if (key != null && !key.isEmpty()) {
            message.append(key).append(": ");
        }
        return message.append(problem).toString();
    }

    /** Where the configuration came from, e.g. {@code classpath:app-cache.yaml}. */
    public String source() {
        return source;
    }

    /** The 1-based line of the offending node, or 0 when the problem is not tied to a line. */
    public int line() {
        return line;
    }

    /** The dotted path of the offending key, e.g. {@code caches.users.maxBytes}, or {@code ""} for the whole file. */
    public String key() {
        return key;
    }

    /** What is wrong, without the source, line and key. */
    public String problem() {
        return problem;
    }
}
