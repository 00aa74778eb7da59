package io.kamacache.config;

import java.util.Objects;

/**
 * A class the configuration names, such as the key type of a cache, kept by its name and
 * where it was given. A cache manager loads it with its own class loader, which may see more
 * than the file's reader did (a server's sees the jars of its {@code lib/}, a directory the
 * file itself names), and a name no class answers to there is a {@link ConfigException}
 * with the file, the line and the key that gave it.
 *
 * @param name   the class's binary name, such as {@code com.example.Order$Line}
 * @param source where it was given: the file, or the environment variable
 * @param line   the 1-based line in the file, 0 for a variable
 * @param key    the dotted key, such as {@code caches.orders.valueType}
 */
public record TypeName(String name, String source, int line, String key) {

    public TypeName {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(key, "key");
    }

    /**
     * The class, loaded (not initialized) by {@code classLoader}.
     *
     * @throws ConfigException when {@code classLoader} finds no such class, or cannot link it
     */
    public Class<?> load(ClassLoader classLoader) {
        try {
            return Class.forName(name, false, classLoader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigException(source, line, key, "no class " + name + " on the cache manager's class path", e);
        }
    }
}
