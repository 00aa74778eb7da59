package io.kamacache.examples;

import javax.cache.Cache;
import javax.cache.CacheException;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * An application of a server cluster, through JCache alone: a client (it owns nothing)
 * that finds the servers in etcd, then every two seconds writes a visit count for a few
 * users and reads them back, printing what it saw and which servers it knows. Stop or
 * start servers meanwhile and it carries on; a round that fails prints why.
 *
 * <p>Run with {@code --etcd http://127.0.0.1:2379 --service kama-cache} against running
 * servers; {@code --rounds N} stops after N rounds (the default, 0, never stops).
 */
public final class ClientDemo {

    private static final int USERS = 5;
    private static final long PAUSE_MILLIS = 2_000;

    private ClientDemo() {
    }

    public static void main(String[] args) throws InterruptedException {
        String etcd = "http://127.0.0.1:2379";
        String service = "kama-cache";
        int rounds = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--etcd" -> etcd = args[++i];
                    case "--service" -> service = args[++i];
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("usage: ClientDemo [--etcd http://127.0.0.1:2379] [--service kama-cache] [--rounds N]");
            System.exit(2);
        }
        run(etcd, service, rounds, PAUSE_MILLIS, System.out);
    }

    /** Runs {@code rounds} rounds (0: for ever) against the servers of {@code service}. */
    static void run(String etcd, String service, int rounds, long pauseMillis, PrintStream out)
            throws InterruptedException {
        CachingProvider provider = Caching.getCachingProvider();
        try (CacheManager manager = provider.getCacheManager(clientConfiguration(etcd, service).toUri(),
                ClientDemo.class.getClassLoader())) {
            Cache<String, Integer> visits = manager.createCache("visits",
                    new MutableConfiguration<String, Integer>().setTypes(String.class, Integer.class));
            out.println("client of the servers of service '" + service + "' in etcd at " + etcd);
            for (int round = 1; rounds == 0 || round <= rounds; round++) {
                try {
                    Map<String, Integer> seen = new TreeMap<>();
                    for (int user = 1; user <= USERS; user++) {
                        String key = "user-" + user;
                        Integer before = visits.get(key);
                        visits.put(key, before == null ? 1 : before + 1);
                        seen.put(key, visits.get(key));
                    }
                    out.println("round " + round + ": " + seen);
                } catch (CacheException e) {
                    out.println("round " + round + " failed: " + e.getMessage());
                }
                if (rounds == 0 || round < rounds) {
                    Thread.sleep(pauseMillis);
                }
            }
        }
    }

    /** What makes the cache manager a client of those servers: the file its URI names. */
    private static Path clientConfiguration(String etcd, String service) {
        try {
            Path file = Files.createTempFile("kamacache-client-", ".yaml");
            file.toFile().deleteOnExit();
            Files.writeString(file, "mode: client\n"
                    + "cluster:\n  etcd:\n    endpoints: [" + etcd + "]\n    service: " + service + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
