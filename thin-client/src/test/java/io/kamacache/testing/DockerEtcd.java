package io.kamacache.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;

/**
 * etcd in a container through Testcontainers: what {@link EtcdExtension} uses on a machine
 * with a Docker engine and no etcd binary. Stopping pauses the container (clients then get
 * no answer, as from a crashed host) and starting resumes it with its data and port.
 */
final class DockerEtcd implements AutoCloseable {

    static final String IMAGE = "quay.io/coreos/etcd:v3.5.17";
    private static final int CLIENT_PORT = 2379;

    private final GenericContainer<?> container;

    /** Whether a Docker engine answers; false also when none is configured at all. */
    static boolean available() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    DockerEtcd() {
        container = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withExposedPorts(CLIENT_PORT)
                .withCommand("etcd", "--name", "test", "--data-dir", "/etcd-data",
                        "--listen-client-urls", "http://0.0.0.0:" + CLIENT_PORT,
                        "--advertise-client-urls", "http://0.0.0.0:" + CLIENT_PORT)
                .waitingFor(Wait.forHttp("/health").forPort(CLIENT_PORT).forStatusCode(200)
                        .withStartupTimeout(Duration.ofSeconds(60)));
        container.start();
    }

    String endpoint() {
        return "http://" + container.getHost() + ":" + container.getMappedPort(CLIENT_PORT);
    }

    void pause() {
        container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
    }

    void resume() {
        container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void close() {
        container.stop();
    }
}
