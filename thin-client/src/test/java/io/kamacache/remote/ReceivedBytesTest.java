package io.kamacache.remote;

import com.google.protobuf.ByteString;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.lite.ProtoLiteUtils;
import io.kamacache.proto.v1.OperationReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ReceivedBytesTest {

    private static final MethodDescriptor.Marshaller<OperationReply> MARSHALLER =
            ProtoLiteUtils.marshaller(OperationReply.getDefaultInstance());

    @ParameterizedTest
    @ValueSource(ints = {1, 100, 1024, 100_000})
    void aFieldParsedByGrpcIsHandedOnWithoutACopy(int size) {
        byte[] value = random(size);
        byte[] wire = OperationReply.newBuilder().setValue(ByteString.copyFrom(value))
                .addValues(ByteString.copyFrom(value)).build().toByteArray();
        // as gRPC hands a message over: a stream that knows its length, and one that does not
        for (InputStream in : new InputStream[] {new KnownLengthStream(wire), new ByteArrayInputStream(wire)}) {
            OperationReply reply = MARSHALLER.parse(in);
            byte[] received = ReceivedBytes.of(reply.getValue());
            assertThat(received).isEqualTo(value);
            assertThat(ReceivedBytes.of(reply.getValue())).isSameAs(received);
            assertThat(ReceivedBytes.of(reply.getValues(0))).isEqualTo(value).isNotSameAs(received);
        }
    }

    @Test
    void bytesThatAreNotOneWholeArrayAreCopied() {
        byte[] value = random(600);
        ByteString slice = ByteString.copyFrom(value).substring(1, 500);
        ByteString pieces = ByteString.copyFrom(value, 0, 300).concat(ByteString.copyFrom(value, 300, 300));

        assertThat(ReceivedBytes.of(slice)).isEqualTo(slice.toByteArray()).isNotSameAs(ReceivedBytes.of(slice));
        assertThat(ReceivedBytes.of(pieces)).isEqualTo(value).isNotSameAs(ReceivedBytes.of(pieces));
        assertThat(ReceivedBytes.of(ByteString.EMPTY)).isEmpty();
    }

    @Test
    void emptyBytesReadAsNoneAndAnyOtherAsThemselves() {
        assertThat(ReceivedBytes.orNull(ByteString.EMPTY)).isNull();
        assertThat(ReceivedBytes.orNull(ByteString.copyFrom(new byte[] {0}))).containsExactly(0);
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** What gRPC's transport hands the marshaller: a stream whose length is known. */
    private static final class KnownLengthStream extends ByteArrayInputStream implements KnownLength {
        KnownLengthStream(byte[] bytes) {
            super(bytes);
        }
    }
}
