package io.kamacache.server;

import io.kamacache.Node;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * A running server node: a cache manager whose node always listens (alone, it is the only
 * member of its own static cluster, so clients can reach it), over a class loader that adds
 * the jars of the configured {@code lib} directory, with the caches its file names created
 * as it starts.
 */
final class CacheServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CacheServer.class);
    /** The cache manager URI of a server: caches travel between nodes by name only. */
    static final URI MANAGER_URI = URI.create("kamacache:server");

    private final KamaCacheManager manager;
    private final HttpApi http;
    private final MetricsExport metrics;
    private final URLClassLoader libraries;
    private final String source;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private CacheServer(KamaCacheManager manager, HttpApi http, MetricsExport metrics, URLClassLoader libraries,
                        String source) {
        this.manager = manager;
        this.http = http;
        this.metrics = metrics;
        this.libraries = libraries;
        this.source = source;
    }

    /** Starts a node; it is listening and has joined its cluster when this returns. */
    static CacheServer start(KamaConfig config) {
        KamaConfig listening = config.cluster().isClustered() ? config
                : config.withCluster(config.cluster().withMembers(List.of(config.node().address()), null));
        URLClassLoader libraries = libraries(config.server().lib());
        try {
            KamaCacheManager manager = new KamaCacheManager(null, MANAGER_URI, libraries, new Properties(), listening,
                    InstantSource.system());
            try {
                manager.createNamedCaches();
                Node node = manager.unwrap(Node.class);
                MetricsExport metrics = MetricsExport.start(node);
                try {
                    HttpApi http = HttpApi.start(manager, node.selfAddress(), KamacacheCommand.Version.number(), metrics);
                    return new CacheServer(manager, http, metrics, libraries, config.source());
                } catch (RuntimeException e) {
                    metrics.close();
                    throw e;
                }
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        } catch (RuntimeException e) {
            closeQuietly(libraries);
            throw e;
        }
    }

    /** The address the node is known by. */
    String address() {
        return manager.unwrap(Node.class).selfAddress();
    }

    KamaCacheManager manager() {
        return manager;
    }

    /** The port of the HTTP API. */
    int httpPort() {
        return http.port();
    }


    /** Says that the node serves, and with whom: the line that operators (and tests) wait for. */
    void logServing() {
        Node node = manager.unwrap(Node.class);
        LOG.info("kamacache node {} serving, HTTP on port {}, members {} ({}, config {})", node.selfAddress(),
                http.port(), node.ring().members(), node.membership(), source);
    }

    /** Stops gracefully on SIGTERM and SIGINT, and on any other JVM shutdown. */
    void stopOnSignals() {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                LOG.info("kamacache node {} received SIG{}: handing off its entries and leaving", address(), name);
                close();
            });
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "kamacache-shutdown"));
    }

    /** Waits until the node has stopped. */
    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Hands the node's entries to the other nodes, leaves the cluster and stops; idempotent. */
    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        try {
            http.close();
            metrics.close();
            manager.close();
        } finally {
            closeQuietly(libraries);
            stopped.countDown();
        }
    }

    /** The jars of {@code lib} (none when it does not exist) over this program's class path. */
    static URLClassLoader libraries(Path lib) {
        List<URL> jars = new ArrayList<>();
        if (Files.isDirectory(lib)) {
            try (Stream<Path> files = Files.list(lib)) {
                for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                    jars.add(jar.toUri().toURL());
                }
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the library directory " + lib.toAbsolutePath() + ": " + e, e);
            }
            LOG.info("class path adds {} jar(s) from {}", jars.size(), lib.toAbsolutePath());
        } else {
            LOG.info("no library directory {}: caches can use only the server's own classes", lib.toAbsolutePath());
        }
        return new URLClassLoader(jars.toArray(URL[]::new), CacheServer.class.getClassLoader());
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.warn("could not close the library class loader: {}", e.toString());
        }
    }
}
