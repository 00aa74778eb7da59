package io.kamacache.server;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kamacache.config.KamaConfig;
import io.kamacache.jcache.KamaCacheManager;
import io.kamacache.proto.v1.EventsRequest;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.SubscribeRequest;
import io.kamacache.remote.Protocol;
import io.kamacache.testing.FreePorts;
import io.kamacache.testing.LogRecords;
import io.kamacache.testing.UpdatesHeard;
import org.junit.jupiter.api.Test;

import javax.cache.Cache;
import javax.cache.configuration.FactoryBuilder;
import javax.cache.configuration.MutableCacheEntryListenerConfiguration;
import javax.cache.configuration.MutableConfiguration;
import java.net.URI;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/** What a server does with the event stream of a client that stops reading it, or takes smaller messages. */
class EventStreamTest {

    /** CacheEndpoint.MAX_UNREAD_EVENT_MESSAGES and MAX_UNREAD_EVENT_BYTES. */
    private static final int MAX_UNREAD = 10_000;
    private static final long MAX_UNREAD_BYTES = 64L << 20;

    @Test
    void aClientThatStopsReadingManySmallEventsHasItsStreamClosedAfterABoundedCount() throws Exception {
        Stalled stalled = stallWhileWriting(1024, MAX_UNREAD + 5_000);
        assertThat(stalled.ended).hasMessageContaining("client stalled left " + (MAX_UNREAD + 1) + " event messages");
        assertThat(stalled.events).as("events kept for the client that stopped reading")
                .isBetween(MAX_UNREAD, MAX_UNREAD + 1_000);
    }

    @Test
    void aClientThatStopsReadingLargeEventsHasItsStreamClosedAfterABoundedSize() throws Exception {
        int valueBytes = 1 << 20;
        Stalled stalled = stallWhileWriting(valueBytes, 100);
        assertThat(stalled.ended).hasMessageContaining("bytes) unread");
        assertThat((long) stalled.events * valueBytes).as("bytes kept for the client that stopped reading")
                .isBetween(MAX_UNREAD_BYTES - 2L * valueBytes, MAX_UNREAD_BYTES + 8L * valueBytes);
    }

    /** An update carries the value and its old one: 80 KiB here, more than one message of 64 KiB. */
    @Test
    void aClientsListenerHearsAnUpdateLargerThanAMessage() throws Exception {
        assertThat(updatesHeard("64KiB", "64KiB", 1, "k", filled(40 << 10, 1), "k", filled(40 << 10, 7)))
                .containsExactly("k: 40960 x 1 -> 40960 x 7");
    }

    /**
     * A listener on a client whose messages are smaller than the server's cannot have an
     * event larger than two of them: the client says it missed it, and hears the next.
     */
    @Test
    void aClientsListenerThatMissesAnEventTooLargeForItsMessagesIsToldSo() throws Exception {
        try (LogRecords warnings = LogRecords.watch("io.kamacache.jcache.CacheCluster", Level.WARNING)) {
            assertThat(updatesHeard("4MiB", "64KiB", 1, "large", filled(1 << 10, 1), "large", filled(200 << 10, 2),
                    "small", filled(1 << 10, 3), "small", filled(1 << 10, 4)))
                    .containsExactly("small: 1024 x 3 -> 1024 x 4");
            assertThat(warnings.messages()).anySatisfy(warning -> assertThat(warning)
                    .contains("listeners of cache 'updates' here missed 1 event(s)").contains("65536"));
        }
    }

    private static byte[] filled(int size, int value) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /**
     * Starts a server whose messages may be {@code serverLimit} and two clients of it, one
     * with messages of {@code listenerLimit} that listens for updates of a byte[] cache, one
     * that puts {@code puts} (key, value, key, value...) to it in order; returns what the
     * listener heard once it heard {@code expected} updates, or after 10 s.
     */
    private static List<String> updatesHeard(String serverLimit, String listenerLimit, int expected, Object... puts)
            throws Exception {
        String address = FreePorts.loopbackAddress();
        String client = "mode: client\ncluster:\n  peers: [" + address + "]\n  maxMessageBytes: ";
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address
                + "\nhttp:\n  port: 0\ncluster:\n  maxMessageBytes: " + serverLimit + "\n", "server"));
             KamaCacheManager listening = new KamaCacheManager(null, URI.create("kamacache:listening"),
                     EventStreamTest.class.getClassLoader(), new Properties(),
                     KamaConfig.parse(client + listenerLimit + "\n", "listening"), InstantSource.system());
             KamaCacheManager writer = new KamaCacheManager(null, URI.create("kamacache:writer"),
                     EventStreamTest.class.getClassLoader(), new Properties(),
                     KamaConfig.parse(client + serverLimit + "\n", "writer"), InstantSource.system())) {
            MutableConfiguration<String, byte[]> configuration = new MutableConfiguration<String, byte[]>()
                    .setTypes(String.class, byte[].class);
            Cache<String, byte[]> written = writer.createCache("updates", configuration);
            Cache<String, byte[]> heard = listening.createCache("updates", configuration);
            UpdatesHeard.HEARD.clear();
            heard.registerCacheEntryListener(new MutableCacheEntryListenerConfiguration<>(
                    FactoryBuilder.factoryOf(UpdatesHeard.class), null, true, false));
            for (int i = 0; i < puts.length; i += 2) {
                written.put((String) puts[i], (byte[]) puts[i + 1]);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (UpdatesHeard.HEARD.size() < expected && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return List.copyOf(UpdatesHeard.HEARD);
        }
    }

    /** What a subscriber that read nothing got, once it read, and how its stream ended. */
    private record Stalled(int events, Throwable ended) {
    }

    /**
     * Subscribes to a server's events with a client that reads only the acknowledgement,
     * while another client makes {@code puts} puts of {@code valueBytes}; then reads what
     * the server kept for it.
     */
    private Stalled stallWhileWriting(int valueBytes, int puts) throws Exception {
        String address = FreePorts.loopbackAddress();
        ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext().flowControlWindow(65_535)
                .maxInboundMessageSize(8 << 20).build();
        try (CacheServer server = CacheServer.start(KamaConfig.parse("node:\n  address: " + address
                + "\nhttp:\n  port: 0\n", "server"));
             KamaCacheManager writer = new KamaCacheManager(null, URI.create("kamacache:writer"),
                     getClass().getClassLoader(), new Properties(), KamaConfig.parse("mode: client\ncluster:\n  peers: ["
                     + address + "]\n", "writer"), InstantSource.system())) {
            Cache<String, byte[]> watched = writer.createCache("watched",
                    new MutableConfiguration<String, byte[]>().setTypes(String.class, byte[].class));

            AtomicInteger messages = new AtomicInteger();
            AtomicReference<ClientCallStreamObserver<SubscribeRequest>> stalled = new AtomicReference<>();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            JCacheServiceGrpc.newStub(channel).subscribe(SubscribeRequest.newBuilder()
                    .setHeader(Protocol.clientHeader("stalled"))
                    .putEventMasks("watched", 0b11) // created and updated
                    .build(), new ClientResponseObserver<SubscribeRequest, EventsRequest>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<SubscribeRequest> call) {
                    stalled.set(call);
                    call.disableAutoRequestWithInitial(1); // the acknowledgement, and then nothing
                }

                @Override
                public void onNext(EventsRequest events) {
                    messages.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    ended.set(t);
                    done.countDown();
                }

                @Override
                public void onCompleted() {
                    done.countDown();
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (messages.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(messages.get()).as("the acknowledgement").isEqualTo(1);

            byte[] value = new byte[valueBytes];
            for (int i = 0; i < puts; i++) {
                watched.put("k" + i, value); // one event message each for the stalled client
            }
            Thread.sleep(2_000); // the server delivers events after the operations, on its own threads

            stalled.get().request(Integer.MAX_VALUE); // reads what the server kept, and its end
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Status.fromThrowable(ended.get()).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(watched.get("k" + (puts - 1))).as("the writer never waited for it").hasSize(valueBytes);
            return new Stalled(messages.get() - 1, ended.get());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
