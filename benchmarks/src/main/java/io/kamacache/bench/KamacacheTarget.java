package io.kamacache.bench;

import javax.cache.Cache;
import javax.cache.CacheManager;
import javax.cache.Caching;
import javax.cache.configuration.MutableConfiguration;
import javax.cache.spi.CachingProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * kamacache servers (three unless the setup says otherwise), each a process of the server
 * program with a static cluster of them all, and a JCache client of them in this JVM: a cache manager in client mode
 * ({@code mode: client}, owning nothing) whose calls carry the {@code rpcTimeout} deadline.
 */
final class KamacacheTarget implements LoadTarget {

    static final String CACHE_NAME = "bench";
    /** Found by the end of its class name, so the harness does not depend on the provider's package. */
    static final String PROVIDER_CLASS_SUFFIX = "KamaCachingProvider";

    private final List<ChildProcess> servers;
    private final Path serverJar;
    private final int serverCount;
    private CachingProvider provider;
    private CacheManager manager;
    private Cache<String, byte[]> cache;

    private KamacacheTarget(List<ChildProcess> servers, Path serverJar) {
        this.servers = servers;
        this.serverJar = serverJar;
        this.serverCount = servers.size();
    }

    static KamacacheTarget start(LoadSetup setup) throws IOException, InterruptedException {
        List<String> peers = LoadSetup.addresses(LoadSetup.freePorts(setup.servers()));
        String peerList = "[" + String.join(", ", peers) + "]";
        List<ChildProcess> servers = new ArrayList<>();
        try {
            for (int i = 0; i < peers.size(); i++) {
                Path config = setup.workDir().resolve("kamacache-server-" + (i + 1) + ".yaml");
                Files.writeString(config, "node:\n  address: " + peers.get(i) + "\n"
                        + "cluster:\n  peers: " + peerList + "\n"
                        + "cacheDefaults:\n  maxBytes: 1GiB\n" + "http:\n  port: 0\n");
                List<String> command = setup.javaCommand();
                command.addAll(List.of("-jar", setup.serverJar().toString(), "server", "--config", config.toString()));
                servers.add(ChildProcess.start("kamacache server " + peers.get(i), command,
                        setup.workDir().resolve("kamacache-server-" + (i + 1) + ".log"), "serving", "KAMACACHE_"));
            }
        } catch (IOException | RuntimeException e) {
            ChildProcess.closeAll(servers);
            throw e;
        }
        ChildProcess.awaitAllReady(servers, setup.readyTimeout());
        KamacacheTarget target = new KamacacheTarget(servers, setup.serverJar());
        try {
            Path clientConfig = setup.workDir().resolve("kamacache-client.yaml");
            Files.writeString(clientConfig, "mode: client\n"
                    + "cluster:\n  peers: " + peerList + "\n"
                    + "  rpcTimeout: " + setup.callTimeout().toMillis() + "ms\n");
            ClassLoader loader = KamacacheTarget.class.getClassLoader();
            target.provider = provider(loader);
            target.manager = target.provider.getCacheManager(
                    URI.create("file:" + clientConfig.toAbsolutePath()), loader);
            target.cache = target.manager.createCache(CACHE_NAME,
                    new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class));
            return target;
        } catch (IOException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    /** The kamacache caching provider among those on the class path. */
    static CachingProvider provider(ClassLoader loader) {
        List<CachingProvider> found = StreamSupport.stream(Caching.getCachingProviders(loader).spliterator(), false)
                .filter(provider -> provider.getClass().getName().endsWith(PROVIDER_CLASS_SUFFIX))
                .toList();
        if (found.size() != 1) {
            throw new IllegalStateException("expected one JCache provider named *" + PROVIDER_CLASS_SUFFIX
                    + " on the class path, found " + found.size());
        }
        return found.get(0);
    }

    @Override
    public String describe() {
        return "kamacache: " + serverCount + (serverCount == 1 ? " server JVM (" : " server JVMs (") + serverJar + "); client in this JVM, "
                + provider.getClass().getName() + " in client mode";
    }

    @Override
    public byte[] get(String key) {
        return cache.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        cache.put(key, value);
    }

    @Override
    public int getAll(KeyBatch keys) {
        return cache.getAll(keys.set()).size();
    }

    /** Closes the cache manager and the provider, then stops the servers. */
    @Override
    public void close() {
        try {
            if (manager != null) {
                manager.close();
            }
            if (provider != null) {
                provider.close();
            }
        } finally {
            ChildProcess.closeAll(servers);
            for (ChildProcess server : servers) {
                if (server.exitCode() != 0) {
                    // a server stops gracefully on SIGTERM with exit code 0
                    System.err.println(server + " exited with code " + server.exitCode() + " (a graceful stop is 0)");
                }
            }
        }
    }
}
