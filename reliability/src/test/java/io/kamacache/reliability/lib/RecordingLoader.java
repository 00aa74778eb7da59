package io.kamacache.reliability.lib;

import javax.cache.integration.CacheLoader;
import javax.cache.integration.CacheLoaderException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A read-through loader that runs in the servers and appends each key it loads to a file
 * the test reads: every server appends to the same file, one short line per write, which
 * {@code O_APPEND} keeps whole. The value of key {@code k} is {@link #valueOf(int) valueOf(k)},
 * so a caller can tell a right answer from a wrong one.
 */
public final class RecordingLoader implements CacheLoader<Integer, String>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String log;

    public RecordingLoader(Path log) {
        this.log = log.toString();
    }

    public static String valueOf(int key) {
        return "value-" + key;
    }

    @Override
    public String load(Integer key) {
        try {
            Files.writeString(Path.of(log), key + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CacheLoaderException("cannot record the load of " + key + " in " + log, e);
        }
        return valueOf(key);
    }

    @Override
    public Map<Integer, String> loadAll(Iterable<? extends Integer> keys) {
        Map<Integer, String> loaded = new HashMap<>();
        keys.forEach(key -> loaded.put(key, load(key)));
        return loaded;
    }
}
