package io.kamacache.config;

import java.lang.reflect.Modifier;
import java.util.Objects;

/**
 * A class the configuration names, such as the key type or the loader of a cache, kept by
 * its name and where it was given. A cache manager loads it with its own class loader, which
 * may see more than the file's reader did (a server's sees the jars of its {@code lib/}, a
 * directory the file itself names), and a name no class answers to there is a
 * {@link ConfigException} with the file, the line and the key that gave it.
 *
 * @param name   the class's binary name, such as {@code com.example.Order$Line}
 * @param source where it was given: the file, or the environment variable
 * @param line   the 1-based line in the file, 0 for a variable
 * @param key    the dotted key, such as {@code caches.orders.valueType}
 */
public record ClassName(String name, String source, int line, String key) {

    public ClassName {
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
            throw problem("no class " + name + " on the cache manager's class path", e);
        }
    }

    /**
     * Checks that {@code classLoader} has the class, that it is a {@code kind}, and that it
     * has the public no-argument constructor {@code FactoryBuilder.factoryOf(name)} makes one with.
     *
     * @throws ConfigException saying which of them it is not
     */
    public void checkMakeable(ClassLoader classLoader, Class<?> kind) {
        Class<?> type = load(classLoader);
        if (!kind.isAssignableFrom(type)) {
            throw problem(name + " is not a " + kind.getName(), null);
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw problem(name + " is abstract: name a class that can be made", null);
        }
        try {
            type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw problem(name + " has no public constructor without arguments", e);
        }
    }

    private ConfigException problem(String problem, Throwable cause) {
        return new ConfigException(source, line, key, problem, cause);
    }
}
