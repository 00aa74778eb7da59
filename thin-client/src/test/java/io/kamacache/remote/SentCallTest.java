package io.kamacache.remote;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kamacache.proto.v1.OperationReply;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SentCallTest {

    /** A call whose answer the test gives, awaited as the stream's calls are. */
    private static SentCall call(CompletableFuture<OperationReply> answer, long deadline) {
        return new SentCall() {
            @Override
            public OperationReply await() {
                return answer.join();
            }

            @Override
            public CompletableFuture<?> answered() {
                return answer;
            }

            @Override
            public long deadline() {
                return deadline;
            }
        };
    }

    private static long in(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void awaitAllReturnsOnceTheLastCallIsAnsweredWhateverTheOrder() throws Exception {
        CompletableFuture<OperationReply> first = new CompletableFuture<>();
        CompletableFuture<OperationReply> second = new CompletableFuture<>();
        CompletableFuture<Void> waited = CompletableFuture.runAsync(
                () -> SentCall.awaitAll(List.of(call(first, in(10_000)), call(second, in(10_000)))));
        second.complete(OperationReply.getDefaultInstance());
        Thread.sleep(50);
        assertThat(waited).isNotDone();
        first.completeExceptionally(Status.UNAVAILABLE.asRuntimeException()); // a failure is an answer too
        waited.get(5, TimeUnit.SECONDS);
    }

    @Test
    void awaitAllGivesUpAtTheLatestDeadlineWithoutThrowing() {
        long start = System.nanoTime();
        SentCall.awaitAll(List.of(call(new CompletableFuture<>(), in(0)), call(new CompletableFuture<>(), in(200))));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void anInterruptEndsTheWaitAndStaysSet() {
        Thread.currentThread().interrupt();
        try {
            SentCall.awaitAll(List.of(call(new CompletableFuture<>(), in(10_000)),
                    call(new CompletableFuture<>(), in(10_000))));
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aCallThatCouldNotBeSentIsAnsweredAtOnceAndThrowsItsFailure() {
        StatusRuntimeException failure = Status.UNAVAILABLE.withDescription("no stream").asRuntimeException();
        SentCall failed = SentCall.failed(failure);
        assertThat(failed.answered()).isDone();
        assertThatThrownBy(failed::await).isSameAs(failure);
    }
}
