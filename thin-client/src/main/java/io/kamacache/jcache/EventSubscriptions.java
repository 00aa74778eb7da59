package io.kamacache.jcache;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kamacache.proto.v1.EventsRequest;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.RequestHeader;
import io.kamacache.proto.v1.SubscribeRequest;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * This JVM's event streams, one from each other member (a server, for a client), opened
 * once it has listeners: opening one tells the member what the listeners here want of
 * each cache, and the events of the operations the member runs as the owner come on it,
 * this JVM's own calls' among them (see {@link EventOutbox}). A stream that breaks is
 * opened again while its member is one and this JVM has listeners.
 */
final class EventSubscriptions implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventSubscriptions.class.getName());
    private static final long REOPEN_PAUSE_MS = 1_000;

    private final CacheNode node;
    private final RequestHeader header;
    private final Supplier<Map<String, Integer>> masks;
    private final BiConsumer<String, EventsRequest> deliver;
    private final Function<String, EventInbox> inboxes;
    private final Executor executor;
    private final Map<String, ClientCallStreamObserver<SubscribeRequest>> streams = new ConcurrentHashMap<>();
    private final AtomicLong streamIds = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param masks   what this client's listeners want now, per cache
     * @param deliver hands the events a server sent to their cache's listeners
     * @param inboxes the inbox of each server's events, told when its stream opens (before
     *                its first event) and when it ends
     */
    EventSubscriptions(CacheNode node, RequestHeader header, Supplier<Map<String, Integer>> masks,
                       BiConsumer<String, EventsRequest> deliver, Function<String, EventInbox> inboxes,
                       Executor executor) {
        this.node = node;
        this.header = header;
        this.masks = masks;
        this.deliver = deliver;
        this.inboxes = inboxes;
        this.executor = executor;
    }

    boolean isOpen(String server) {
        return streams.containsKey(server);
    }

    /**
     * Opens the stream to {@code server} unless it is open, and waits (up to the call
     * deadline) until the server has noted what this client's listeners want.
     */
    synchronized void open(String server) {
        if (closed || streams.containsKey(server)) {
            return;
        }
        long id = streamIds.incrementAndGet(); // the server's outbox to this client: see EventOutbox
        SubscribeRequest request = SubscribeRequest.newBuilder().setHeader(header).putAllEventMasks(masks.get())
                .setStreamId(id).build();
        CountDownLatch noted = new CountDownLatch(1);
        ClientResponseObserver<SubscribeRequest, EventsRequest> observer = new ClientResponseObserver<>() {
            private ClientCallStreamObserver<SubscribeRequest> call;

            @Override
            public void beforeStart(ClientCallStreamObserver<SubscribeRequest> call) {
                this.call = call;
            }

            @Override
            public void onNext(EventsRequest events) {
                if (noted.getCount() > 0) {
                    inboxes.apply(server).opened(id);
                    streams.put(server, call); // the first message says the server has noted the masks
                    noted.countDown();
                } else {
                    deliver.accept(server, events);
                }
            }

            @Override
            public void onError(Throwable t) {
                noted.countDown(); // open() waits no longer
                if (Status.fromThrowable(t).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                    LOG.log(System.Logger.Level.WARNING, "server " + server + " closed the event stream this client "
                            + "did not keep up with, and listeners here missed events: " + t.getMessage());
                }
                broken(server, id, call, t.toString());
            }

            @Override
            public void onCompleted() {
                noted.countDown();
                broken(server, id, call, "the server ended it");
            }
        };
        node.channels().subscriptionStub(server, JCacheServiceGrpc::newStub).subscribe(request, observer);
        try {
            if (!noted.await(node.channels().deadline().toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "server " + server + " did not open an event stream within "
                        + node.channels().deadline() + "; listeners here miss its events until it does");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void broken(String server, long id, ClientCallStreamObserver<SubscribeRequest> call, String why) {
        streams.remove(server, call);
        inboxes.apply(server).ended(id);
        if (closed) {
            return;
        }
        LOG.log(System.Logger.Level.DEBUG, "the event stream from server " + server + " broke: " + why);
        try {
            executor.execute(() -> {
                try {
                    Thread.sleep(REOPEN_PAUSE_MS);
                } catch (InterruptedException e) {
                    return;
                }
                if (node.ring().members().contains(server) && !masks.get().isEmpty()) {
                    open(server);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Closes the streams of servers that are no longer members. */
    void retain(Set<String> members) {
        streams.forEach((server, call) -> {
            if (!members.contains(server)) {
                streams.remove(server, call);
                call.cancel("the server left the cluster", null);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        streams.values().forEach(call -> call.cancel("the client closed", null));
        streams.clear();
    }
}
