package io.kamacache.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Hazelcast member of {@link HazelcastTarget}'s cluster, run as a process of its own:
 * {@code HazelcastLoadMember CLUSTER_NAME PORT MEMBER_PORT...}. It binds to 127.0.0.1:PORT
 * only, joins the other members by TCP/IP (no multicast, no auto-detection, no phone-home),
 * prints {@value #READY} once the cluster has all its members, and exits when its standard
 * input closes (the harness stopped or died) or on SIGTERM, through Hazelcast's shutdown hook.
 */
public final class HazelcastLoadMember {

    static final String READY = "hazelcast member ready";
    private static final long JOIN_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(60);

    private HazelcastLoadMember() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 3) {
            System.err.println("usage: HazelcastLoadMember CLUSTER_NAME PORT MEMBER_PORT...");
            System.exit(2);
        }
        System.setProperty("hazelcast.logging.type", "slf4j");
        List<String> members = Arrays.stream(args, 2, args.length).map(port -> LoadSetup.LOOPBACK + ":" + port).toList();
        HazelcastInstance instance = Hazelcast.newHazelcastInstance(config(args[0], Integer.parseInt(args[1]), members));
        exitWhenInputCloses();
        long deadline = System.currentTimeMillis() + JOIN_TIMEOUT_MILLIS;
        while (instance.getCluster().getMembers().size() < members.size()) {
            if (System.currentTimeMillis() > deadline) {
                System.err.println("only " + instance.getCluster().getMembers().size() + " of " + members.size()
                        + " members joined within " + JOIN_TIMEOUT_MILLIS / 1000 + " s");
                System.exit(1);
            }
            Thread.sleep(50);
        }
        System.out.println(READY + " on port " + args[1]);
        System.out.flush();
    }

    static Config config(String clusterName, int port, List<String> members) {
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface(LoadSetup.LOOPBACK);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members);
        // one copy of every entry, as a kamacache cluster keeps (the default would add a
        // synchronous backup to every write)
        config.getMapConfig(HazelcastTarget.MAP_NAME).setBackupCount(0);
        return config;
    }

    /** The harness keeps the member's standard input open while it runs. */
    private static void exitWhenInputCloses() {
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // nothing is sent; wait for the end
                }
            } catch (IOException e) {
                // the same as the end
            }
            System.exit(0);
        }, "exit-when-input-closes");
        watcher.setDaemon(true);
        watcher.start();
    }
}
