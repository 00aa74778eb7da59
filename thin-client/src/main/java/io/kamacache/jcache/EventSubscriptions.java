package io.kamacache.jcache;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kamacache.proto.v1.Event;
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
import java.util.function.Supplier;

/**
 * A client's event streams, one per server (a client has no address for servers to
 * deliver to): opening one tells the server what the client's listeners want of each
 * cache, and the events of the operations the server runs for other callers come back on
 * it, each cache's in order. A stream that breaks is opened again while its server is a
 * member and the client has listeners.
 */
final class EventSubscriptions implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EventSubscriptions.class.getName());
    private static final long REOPEN_PAUSE_MS = 1_000;

    private final CacheNode node;
    private final RequestHeader header;
    private final Supplier<Map<String, Integer>> masks;
    private final BiConsumer<String, List<Event>> deliver;
    private final Executor executor;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicLong streamIds = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param masks   what this client's listeners want now, per cache
     * @param deliver hands a cache's events to its listeners
     */
    EventSubscriptions(CacheNode node, RequestHeader header, Supplier<Map<String, Integer>> masks,
                       BiConsumer<String, List<Event>> deliver, Executor executor) {
        this.node = node;
        this.header = header;
        this.masks = masks;
        this.deliver = deliver;
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
        long id = streamIds.incrementAndGet();
        SubscribeRequest request = SubscribeRequest.newBuilder().setHeader(header).putAllEventMasks(masks.get())
                .setStreamId(id).build();
        CountDownLatch noted = new CountDownLatch(1);
        ClientResponseObserver<SubscribeRequest, EventsRequest> observer = new ClientResponseObserver<>() {
            private Stream call;

            @Override
            public void beforeStart(ClientCallStreamObserver<SubscribeRequest> call) {
                this.call = new Stream(id, call);
            }

            @Override
            public void onNext(EventsRequest events) {
                if (noted.getCount() > 0) {
                    streams.put(server, call); // the first message says the server has noted the masks
                    noted.countDown();
                } else {
                    deliver.accept(events.getCache(), events.getEventsList());
                    call.taken(events.getSequence());
                }
            }

            @Override
            public void onError(Throwable t) {
                noted.countDown(); // open() waits no longer
                if (Status.fromThrowable(t).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                    LOG.log(System.Logger.Level.WARNING, "server " + server + " closed the event stream this client "
                            + "did not keep up with, and listeners here missed events: " + t.getMessage());
                }
                broken(server, call, t.toString());
            }

            @Override
            public void onCompleted() {
                noted.countDown();
                broken(server, call, "the server ended it");
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

    private void broken(String server, Stream call, String why) {
        call.end();
        streams.remove(server, call);
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
                call.cancel("the server left the cluster");
            }
        });
    }

    /**
     * Waits until the listeners here have been handed the first {@code messages} messages of
     * events of stream {@code streamId} from {@code server}, which came before a reply from it,
     * at most {@code deadline} (on the {@link System#nanoTime()} clock); at once when that
     * stream has ended, and with it the events it had yet to bring.
     */
    void awaitTaken(String server, long streamId, long messages, long deadline) {
        Stream stream = streams.get(server);
        if (stream != null && stream.id == streamId) {
            stream.awaitTaken(messages, deadline);
        }
    }

    @Override
    public void close() {
        closed = true;
        streams.values().forEach(call -> call.cancel("the client closed"));
        streams.clear();
    }

    /** One event stream from a server, and how many of its messages the listeners here have been handed. */
    private static final class Stream {
        final long id;
        private final ClientCallStreamObserver<SubscribeRequest> call;
        private long taken;
        private boolean ended;

        Stream(long id, ClientCallStreamObserver<SubscribeRequest> call) {
            this.id = id;
            this.call = call;
        }

        synchronized void taken(long sequence) {
            taken = sequence;
            notifyAll();
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        void cancel(String why) {
            end();
            call.cancel(why, null);
        }

        synchronized void awaitTaken(long messages, long deadline) {
            boolean interrupted = false;
            long left;
            while (taken < messages && !ended && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    interrupted = true; // the reply's events still wait their turn
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
