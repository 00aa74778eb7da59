package io.kamacache.bench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.BuildInfoProvider;
import com.hazelcast.map.IMap;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Hazelcast 5 members (three unless the setup says otherwise), each in a JVM of its own ({@link HazelcastLoadMember}, started
 * from this JVM's class path), and a Hazelcast client in this JVM with smart routing (the
 * default: every call goes straight to the key's owner) and an invocation timeout. The
 * operations use the plain {@code IMap<String, byte[]>}: {@code get}, {@code set} and
 * {@code getAll}.
 */
final class HazelcastTarget implements LoadTarget {

    static final String MAP_NAME = "bench";

    private final List<ChildProcess> members;
    private HazelcastInstance client;
    private IMap<String, byte[]> map;

    private HazelcastTarget(List<ChildProcess> members) {
        this.members = members;
    }

    static HazelcastTarget start(LoadSetup setup) throws IOException, InterruptedException {
        List<Integer> ports = LoadSetup.freePorts(setup.servers());
        String clusterName = "kamacache-load-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        List<ChildProcess> members = new ArrayList<>();
        try {
            for (int port : ports) {
                List<String> command = setup.javaCommand();
                command.addAll(javaOptions());
                command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                        HazelcastLoadMember.class.getName(), clusterName, String.valueOf(port)));
                ports.forEach(member -> command.add(String.valueOf(member)));
                members.add(ChildProcess.start("hazelcast member 127.0.0.1:" + port, command,
                        setup.workDir().resolve("hazelcast-member-" + port + ".log"), HazelcastLoadMember.READY, "HZ_"));
            }
        } catch (IOException | RuntimeException e) {
            ChildProcess.closeAll(members);
            throw e;
        }
        ChildProcess.awaitAllReady(members, setup.readyTimeout());
        HazelcastTarget target = new HazelcastTarget(members);
        try {
            System.setProperty("hazelcast.logging.type", "slf4j");
            ClientConfig config = new ClientConfig();
            config.setClusterName(clusterName);
            config.setProperty("hazelcast.logging.type", "slf4j");
            config.setProperty("hazelcast.client.invocation.timeout.seconds",
                    String.valueOf(Math.max(1, setup.callTimeout().toSeconds())));
            config.getNetworkConfig().setAddresses(LoadSetup.addresses(ports));
            config.getConnectionStrategyConfig().getConnectionRetryConfig()
                    .setClusterConnectTimeoutMillis(setup.readyTimeout().toMillis());
            target.client = HazelcastClient.newHazelcastClient(config);
            target.map = target.client.getMap(MAP_NAME);
            return target;
        } catch (RuntimeException e) {
            target.close();
            throw e;
        }
    }

    /** What Hazelcast asks of a Java 9+ member JVM (it warns without them). */
    static List<String> javaOptions() {
        List<String> options = new ArrayList<>(List.of("--add-modules", "java.se",
                "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED"));
        for (String open : List.of("java.base/java.lang", "java.base/sun.nio.ch", "java.management/sun.management",
                "jdk.management/com.sun.management.internal")) {
            options.add("--add-opens");
            options.add(open + "=ALL-UNNAMED");
        }
        return options;
    }

    @Override
    public String describe() {
        return "Hazelcast " + BuildInfoProvider.getBuildInfo().getVersion() + ": " + members.size()
                + (members.size() == 1 ? " member JVM" : " member JVMs") + ", map backup count 0; client in this JVM, smart routing";
    }

    @Override
    public byte[] get(String key) {
        return map.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        map.set(key, value);
    }

    @Override
    public int getAll(KeyBatch keys) {
        return map.getAll(keys.set()).size();
    }

    /** Shuts the client down, then stops the members. */
    @Override
    public void close() {
        try {
            if (client != null) {
                client.shutdown();
            }
        } finally {
            ChildProcess.closeAll(members);
        }
    }
}
