package io.kamacache.remote;

import io.grpc.stub.StreamObserver;

import java.util.concurrent.CompletableFuture;

/**
 * The observer of a call that answers once, a unary call or the summary of a client stream:
 * its answer, or its failure, completes {@link #future()}. A call that ends without an
 * answer completes it with null.
 */
public final class OneAnswer<T> implements StreamObserver<T> {

    private final CompletableFuture<T> future = new CompletableFuture<>();

    /** The call's answer, null when it ended without one, or its failure. */
    public CompletableFuture<T> future() {
        return future;
    }

    @Override
    public void onNext(T answer) {
        future.complete(answer);
    }

    @Override
    public void onError(Throwable t) {
        future.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
        future.complete(null);
    }
}
