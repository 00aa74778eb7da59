package io.kamacache.remote;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.kamacache.proto.v1.JCacheServiceGrpc;
import io.kamacache.proto.v1.OperationCall;
import io.kamacache.proto.v1.OperationReply;
import io.kamacache.proto.v1.OperationRequest;
import io.kamacache.proto.v1.OperationResult;
import io.kamacache.proto.v1.RequestHeader;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operations sent to one member, multiplexed on one {@code JCacheService.Operations}
 * stream: a call is a message with an id, its result comes back with that id. Replies
 * are read on the channel's network thread and handed straight to the waiting caller; a
 * reply too large for one message comes in pieces, put back together here. The first
 * call on a stream is the hello, whose answer tells the largest message the member takes
 * in; a call larger than that is refused here, unsent, since the member would end the
 * whole stream on it, failing every call in flight.
 *
 * <p>Each call waits at most the deadline and then fails with DEADLINE_EXCEEDED; the
 * stream stays open for the others. When the stream fails (the member stopped, the
 * connection broke) every call in flight fails with the stream's status, and the next call
 * opens a new stream. {@link #close()} ends the stream; calls in flight then fail.
 */
final class OperationStream {

    private final Channel channel;
    private final String address;
    private final Duration deadline;
    private final Waiting waiting;
    private final AtomicLong ids = new AtomicLong();
    private volatile Open open;

    OperationStream(Channel channel, String address, Duration deadline, Waiting waiting) {
        this.channel = channel;
        this.address = address;
        this.deadline = deadline;
        this.waiting = waiting;
    }

    /**
     * Runs {@code request} at the member and waits for its reply.
     *
     * @throws StatusRuntimeException as a unary call would: the status the member answered,
     *                                DEADLINE_EXCEEDED, UNAVAILABLE, or CANCELLED when interrupted
     */
    OperationReply call(OperationRequest request) {
        return send(request).await();
    }

    /**
     * Sends {@code request} to the member without waiting for its reply: the caller must
     * {@link SentCall#await} it, once, and may send other calls meanwhile.
     *
     * @throws StatusRuntimeException UNAVAILABLE when the stream has failed, RESOURCE_EXHAUSTED
     *                                when the request is larger than the member takes in (nothing
     *                                was sent), or as {@link #limit}
     */
    SentCall send(OperationRequest request) {
        long deadlineAt = System.nanoTime() + deadline.toNanos();
        long id = ids.incrementAndGet();
        Open stream = stream();
        OperationCall call = OperationCall.newBuilder().setId(id).setRequest(request).build();
        int limit = MessagePieces.requestLimit(stream.limit(request.getHeader(), deadlineAt), request);
        if (call.getSerializedSize() > limit) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("a message of " + call.getSerializedSize()
                    + " bytes is more than the " + limit + " " + address + " takes in (its cluster.maxMessageBytes "
                    + "is smaller than this caller's); nothing was sent").asRuntimeException();
        }
        CompletableFuture<OperationReply> reply = new CompletableFuture<>();
        stream.pending.put(id, reply);
        waiting.start();
        try {
            if (stream.failure != null) {
                throw stream.failure.asRuntimeException();
            }
            stream.send(call);
        } catch (RuntimeException e) {
            stream.pending.remove(id);
            waiting.done();
            throw e;
        }
        return new Call(id, stream, reply, deadlineAt);
    }

    /**
     * The largest message the member takes in, as the answer to the stream's hello told;
     * the first caller on a stream sends the hello with {@code header}, and every caller
     * waits for its answer up to {@code deadlineAt}.
     *
     * @throws StatusRuntimeException what the hello failed with (FAILED_PRECONDITION for another
     *                                protocol version, the stream's failure), DEADLINE_EXCEEDED,
     *                                or CANCELLED when interrupted
     */
    int limit(RequestHeader header, long deadlineAt) {
        return stream().limit(header, deadlineAt);
    }

    /** A call sent on {@code stream}, its reply to come in {@code reply}. */
    private final class Call implements SentCall {
        private final long id;
        private final Open stream;
        private final CompletableFuture<OperationReply> reply;
        private final long deadlineAt;

        Call(long id, Open stream, CompletableFuture<OperationReply> reply, long deadlineAt) {
            this.id = id;
            this.stream = stream;
            this.reply = reply;
            this.deadlineAt = deadlineAt;
        }

        @Override
        public OperationReply await() {
            try {
                waiting.spin(reply);
                return OperationStream.this.await(reply, deadlineAt);
            } finally {
                stream.pending.remove(id);
                waiting.done();
            }
        }

        @Override
        public CompletableFuture<?> answered() {
            return reply;
        }

        @Override
        public long deadline() {
            return deadlineAt;
        }
    }

    /** What {@code answer} completes with, waiting up to {@code deadlineAt}; a failure is thrown with its status. */
    private <T> T await(CompletableFuture<T> answer, long deadlineAt) {
        try {
            return answer.get(deadlineAt - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            StatusRuntimeException failure = (StatusRuntimeException) e.getCause();
            throw new StatusRuntimeException(failure.getStatus(), failure.getTrailers()); // one per caller: the hello's is shared
        } catch (TimeoutException e) {
            throw Status.DEADLINE_EXCEEDED.withDescription("no reply from " + address + " within " + deadline)
                    .asRuntimeException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted while waiting for " + address).withCause(e)
                    .asRuntimeException();
        }
    }

    private Open stream() {
        Open current = open;
        return current != null && current.failure == null ? current : openStream();
    }

    private synchronized Open openStream() {
        if (open == null || open.failure != null) {
            Open started = new Open();
            JCacheServiceGrpc.newStub(channel).withExecutor(Runnable::run).operations(started);
            open = started; // only once started: callers that find it send on it without this lock
        }
        return open;
    }

    /** Cancels the stream; calls in flight fail with UNAVAILABLE. */
    synchronized void close() {
        if (open != null) {
            open.fail(Status.UNAVAILABLE.withDescription("the connection to " + address + " was closed"));
            open = null;
        }
    }

    /**
     * How callers wait for replies, shared by the streams of one set of channels. A caller
     * whose call is the only one in flight spins for its reply, up to a limit, before it
     * sleeps: a round trip on loopback is so short that waking a sleeping thread is a good
     * part of it, and a lone caller leaves cores idle anyway. It spins by yielding: where
     * the threads that bring the reply (a server on the same host, the client's network
     * thread) wait for a core, they get this one; otherwise the yield returns at once. With
     * more calls in flight callers sleep at once, so spinning never takes a core from work.
     */
    static final class Waiting {
        private final long spinNanos;
        private final AtomicInteger inFlight = new AtomicInteger();

        Waiting(Duration spin) {
            this.spinNanos = spin.toNanos();
        }

        void start() {
            inFlight.incrementAndGet();
        }

        void done() {
            inFlight.decrementAndGet();
        }

        void spin(CompletableFuture<?> reply) {
            if (spinNanos == 0) {
                return;
            }
            long until = System.nanoTime() + spinNanos;
            while (!reply.isDone() && inFlight.get() == 1 && System.nanoTime() < until) {
                Thread.yield();
            }
        }
    }

    /** One stream's life: it ends for good on its first failure. */
    private final class Open implements ClientResponseObserver<OperationCall, OperationResult> {

        final Map<Long, CompletableFuture<OperationReply>> pending = new ConcurrentHashMap<>();
        /** The answer to the hello: the largest message the member takes in. */
        private final CompletableFuture<Integer> memberLimit = new CompletableFuture<>();
        private boolean helloSent;
        /** The pieces come so far of replies sent in several ({@link MessagePieces}); read on the network thread only. */
        private final Map<Long, OperationReply.Builder> pieces = new HashMap<>();
        volatile Status failure;
        private ClientCallStreamObserver<OperationCall> requests;

        @Override
        public void beforeStart(ClientCallStreamObserver<OperationCall> requests) {
            this.requests = requests;
        }

        synchronized void send(OperationCall call) {
            if (failure == null) {
                requests.onNext(call);
            }
        }

        int limit(RequestHeader header, long deadlineAt) {
            if (!memberLimit.isDone()) {
                hello(header);
            } else if (!memberLimit.isCompletedExceptionally()) {
                return memberLimit.join();
            }
            return await(memberLimit, deadlineAt);
        }

        private synchronized void hello(RequestHeader header) {
            if (!helloSent) {
                helloSent = true;
                send(OperationCall.newBuilder().setId(Protocol.HELLO)
                        .setRequest(OperationRequest.newBuilder().setHeader(header)).build());
            }
        }

        @Override
        public void onNext(OperationResult result) {
            if (result.getId() == Protocol.HELLO) {
                if (result.getStatusCode() == Status.Code.OK.value()) {
                    memberLimit.complete(result.getMaxMessageBytes());
                } else {
                    memberLimit.completeExceptionally(status(result).asRuntimeException());
                }
                return;
            }
            if (result.getMore()) {
                if (pending.containsKey(result.getId())) {
                    pieces.computeIfAbsent(result.getId(), id -> OperationReply.newBuilder()).mergeFrom(result.getReply());
                }
                return;
            }
            OperationReply.Builder earlier = pieces.remove(result.getId());
            CompletableFuture<OperationReply> reply = pending.remove(result.getId());
            if (reply == null) {
                return; // its caller gave up waiting
            }
            if (result.getStatusCode() == Status.Code.OK.value()) {
                reply.complete(earlier == null ? result.getReply() : earlier.mergeFrom(result.getReply()).build());
            } else {
                reply.completeExceptionally(status(result).asRuntimeException());
            }
        }

        private static Status status(OperationResult result) {
            return Status.fromCodeValue(result.getStatusCode()).withDescription(result.getStatusDescription());
        }

        @Override
        public void onError(Throwable t) {
            fail(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            fail(Status.UNAVAILABLE.withDescription(address + " ended its operation stream"));
        }

        synchronized void fail(Status status) {
            if (failure != null) {
                return;
            }
            failure = status;
            memberLimit.completeExceptionally(status.asRuntimeException());
            requests.onError(status.asRuntimeException());
            pending.values().forEach(reply -> reply.completeExceptionally(status.asRuntimeException()));
            pending.clear();
        }
    }
}
