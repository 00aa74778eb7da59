package io.kamacache.bench;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;

/**
 * One Redis server ({@code redis-server} on a loopback port, no persistence), the way Redis
 * is most often deployed, and a Lettuce client in this JVM: one connection shared by every
 * caller thread with the synchronous commands (Lettuce pipelines the callers' commands on
 * it), each with a command timeout. GET, SET and MGET with String keys and byte[] values.
 */
final class RedisTarget implements LoadTarget {

    private final ChildProcess server;
    private RedisClient client;
    private StatefulRedisConnection<String, byte[]> connection;
    private RedisCommands<String, byte[]> commands;

    private RedisTarget(ChildProcess server) {
        this.server = server;
    }

    static RedisTarget start(LoadSetup setup) throws IOException, InterruptedException {
        int port = LoadSetup.freePorts(1).get(0);
        ChildProcess server = ChildProcess.start("redis-server 127.0.0.1:" + port,
                List.of(setup.redisServer(), "--port", String.valueOf(port), "--bind", LoadSetup.LOOPBACK,
                        "--save", "", "--appendonly", "no"),
                setup.workDir().resolve("redis-server.log"), "Ready to accept connections");
        server.awaitReady(setup.readyTimeout());
        RedisTarget target = new RedisTarget(server);
        try {
            target.client = RedisClient.create(RedisURI.builder().withHost(LoadSetup.LOOPBACK).withPort(port)
                    .withTimeout(setup.callTimeout()).build());
            target.client.setOptions(ClientOptions.builder()
                    .timeoutOptions(TimeoutOptions.enabled(setup.callTimeout())).build());
            target.connection = target.client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            target.commands = target.connection.sync();
            return target;
        } catch (RuntimeException e) {
            target.close();
            throw e;
        }
    }

    @Override
    public String describe() {
        String version = "?";
        for (String line : commands.info("server").split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                version = line.substring("redis_version:".length()).trim();
            }
        }
        return "Redis " + version + ": one redis-server process, no persistence; client Lettuce "
                + lettuceVersion() + ", one shared connection";
    }

    /** Lettuce's version from its Maven metadata, which the benchmarks jar keeps. */
    static String lettuceVersion() {
        try (InputStream in = RedisClient.class.getResourceAsStream(
                "/META-INF/maven/io.lettuce/lettuce-core/pom.properties")) {
            if (in == null) {
                return "?";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "?");
        } catch (IOException e) {
            return "?";
        }
    }

    @Override
    public byte[] get(String key) {
        return commands.get(key);
    }

    @Override
    public void put(String key, byte[] value) {
        commands.set(key, value);
    }

    @Override
    public int getAll(KeyBatch keys) {
        int found = 0;
        for (KeyValue<String, byte[]> entry : commands.mget(keys.array())) {
            if (entry.hasValue()) {
                found++;
            }
        }
        return found;
    }

    /** Closes the connection and the client, then stops the server. */
    @Override
    public void close() {
        try {
            if (connection != null) {
                connection.close();
            }
            if (client != null) {
                client.shutdown();
            }
        } finally {
            server.close();
        }
    }
}
