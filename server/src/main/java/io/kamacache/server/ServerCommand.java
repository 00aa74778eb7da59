package io.kamacache.server;

import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.kamacache.config.ConfigException;
import io.kamacache.config.KamaConfig;
import io.kamacache.discovery.MembershipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.cache.CacheException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code kamacache server}: runs a node until SIGTERM or SIGINT. Exit status 0 after a
 * graceful stop, 2 for a bad configuration (the message names the file or variable, the
 * line and the key), 1 when the node cannot start (a port is taken, etcd is unreachable, a
 * certificate cannot be used).
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs a cache node: it serves peers and clients on the gRPC port of node.address and stays "
                + "until SIGTERM or SIGINT, when it hands its entries to the other nodes and exits.",
                "Every configuration key can also be set by an environment variable: KAMACACHE_ and the key's path "
                + "in capitals, dots and word breaks as underscores (KAMACACHE_NODE_ADDRESS)."})
final class ServerCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServerCommand.class);

    /** The system property that sets the leak detection of the Netty inside gRPC. */
    static final String LEAK_DETECTION_PROPERTY = "io.grpc.netty.shaded.io.netty.leakDetection.level";

    @Option(names = "--config", paramLabel = "FILE",
            description = "the YAML configuration (docs/configuration.md); without it, built-in defaults: "
                    + "a single node on 127.0.0.1:8001")
    private Path config;

    @Override
    public Integer call() throws InterruptedException {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        quietLeakDetection();
        CacheServer server;
        try {
            if (config != null && !Files.isRegularFile(config)) {
                throw new ConfigException(config.toString(), 0, "", "no such file");
            }
            KamaConfig settings = config == null ? KamaConfig.fromEnvironment(System.getenv())
                    : KamaConfig.load(config.toAbsolutePath().toUri(), ServerCommand.class.getClassLoader(), System.getenv());
            server = CacheServer.start(settings);
        } catch (ConfigException e) { // the file, or a class it names that lib/ does not have either
            System.err.println("kamacache: bad configuration: " + e.getMessage());
            return 2;
        } catch (MembershipException | UncheckedIOException | IllegalStateException | IllegalArgumentException
                 | CacheException e) {
            // etcd unreachable, a port taken, TLS files that cannot be used, a cache the file names that cannot start
            System.err.println("kamacache: the node could not start: " + e.getMessage());
            return 1;
        }
        server.stopOnSignals(); // before saying it serves: a SIGTERM from then on is a graceful stop
        server.logServing();
        server.awaitStop();
        LOG.info("kamacache node {} stopped", server.address());
        return 0;
    }

    /**
     * Turns off Netty's buffer leak detection unless the operator set its level: by default it
     * records a stack trace for one buffer in 128, which cost a busy node about 5 % of its CPU
     * under load, to find leaks in the network stack rather than in anything a node runs.
     * {@code -Dio.grpc.netty.shaded.io.netty.leakDetection.level=simple} turns it back on.
     */
    static void quietLeakDetection() {
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}
