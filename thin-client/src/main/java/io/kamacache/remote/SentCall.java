package io.kamacache.remote;

import io.grpc.StatusRuntimeException;
import io.kamacache.proto.v1.OperationReply;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A JCache operation sent to a member and not answered yet, so that a caller can send to
 * several members before it waits for any. Await it exactly once: until then the call
 * counts as in flight.
 */
public interface SentCall {

    /**
     * Waits for the reply, at most what is left of the call's deadline since it was sent.
     *
     * @throws io.grpc.StatusRuntimeException as a unary call would fail
     */
    OperationReply await();

    /**
     * Completes, normally or not, once the reply or the call's failure is in: to wait on, not
     * to complete; {@link #await} still takes the reply.
     */
    CompletableFuture<?> answered();

    /** When, on the {@link System#nanoTime()} clock, {@link #await} gives up. */
    long deadline();

    /** A call that could not be sent: awaiting it throws {@code failure}. */
    static SentCall failed(StatusRuntimeException failure) {
        return new SentCall() {
            @Override
            public OperationReply await() {
                throw failure;
            }

            @Override
            public CompletableFuture<?> answered() {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public long deadline() {
                return System.nanoTime();
            }
        };
    }

    /**
     * Waits until every one of {@code calls} is answered, or until the last of their
     * deadlines, taking no reply: a caller about to await several calls then sleeps once,
     * for the last answer, rather than once for each. Awaiting each afterwards returns at
     * once. An interrupt ends the wait and stays set for those awaits to report.
     */
    static void awaitAll(List<SentCall> calls) {
        if (calls.size() < 2) {
            return;
        }
        CompletableFuture<?>[] answers = new CompletableFuture<?>[calls.size()];
        long until = calls.get(0).deadline();
        for (int i = 0; i < answers.length; i++) {
            answers[i] = calls.get(i).answered();
            if (calls.get(i).deadline() - until > 0) { // nanoTime values compare by difference
                until = calls.get(i).deadline();
            }
        }
        try {
            CompletableFuture.allOf(answers).get(until - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // each call's await reports its own failure or deadline
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
