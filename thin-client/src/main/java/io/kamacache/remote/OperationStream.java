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
 * reply too large for one message comes in pieces, put back together here.
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
    private Open open;

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
     * @throws StatusRuntimeException UNAVAILABLE when the stream has failed
     */
    SentCall send(OperationRequest request) {
        long id = ids.incrementAndGet();
        CompletableFuture<OperationReply> reply = new CompletableFuture<>();
        Open stream = stream();
        stream.pending.put(id, reply);
        waiting.start();
        try {
            if (stream.failure != null) {
                throw stream.failure.asRuntimeException();
            }
            stream.send(OperationCall.newBuilder().setId(id).setRequest(request).build());
        } catch (RuntimeException e) {
            stream.pending.remove(id);
            waiting.done();
            throw e;
        }
        return new Call(id, stream, reply, System.nanoTime() + deadline.toNanos());
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
                return reply.get(deadlineAt - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw (StatusRuntimeException) e.getCause();
            } catch (TimeoutException e) {
                throw Status.DEADLINE_EXCEEDED.withDescription("no reply from " + address + " within " + deadline)
                        .asRuntimeException();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Status.CANCELLED.withDescription("interrupted while waiting for " + address).withCause(e)
                        .asRuntimeException();
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

    private synchronized Open stream() {
        if (open == null || open.failure != null) {
            open = new Open();
            JCacheServiceGrpc.newStub(channel).withExecutor(Runnable::run).operations(open);
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

        @Override
        public void onNext(OperationResult result) {
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
                reply.completeExceptionally(Status.fromCodeValue(result.getStatusCode())
                        .withDescription(result.getStatusDescription()).asRuntimeException());
            }
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
            requests.onError(status.asRuntimeException());
            pending.values().forEach(reply -> reply.completeExceptionally(status.asRuntimeException()));
            pending.clear();
        }
    }
}
