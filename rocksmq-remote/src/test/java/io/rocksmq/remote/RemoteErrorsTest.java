package io.rocksmq.remote;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rocksmq.api.ConsumerGroupNotFoundException;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.api.TopicNotFoundException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a failed call becomes on the client: the type in the error trailer when the server sent one, and
 * otherwise the status code's meaning, RESOURCE_EXHAUSTED split into gRPC's size limits (bad input, as any
 * message too large) and a busy server (retried, never "bad input").
 */
class RemoteErrorsTest {
    /** A status as gRPC itself, or a server before the typed refusal, sends it: no error trailer. */
    private static StatusRuntimeException untyped(Status.Code code, String description) {
        return Status.fromCode(code).withDescription(description).asRuntimeException();
    }

    @Test
    void aTypedStatusBecomesTheTypeItNamesWhateverItsCode() {
        RocksMqException busy = RemoteErrors.fromStatus(
                RemoteErrors.toStatus(new ServerBusyException("512 shared acquires are already waiting"), "t", "s"));
        assertThat(busy).isExactlyInstanceOf(ServerBusyException.class).hasMessage("512 shared acquires are already waiting");

        StatusRuntimeException tooBig = RemoteErrors.toStatus(new InvalidArgumentException("message too large"), "t", null);
        assertThat(tooBig.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(RemoteErrors.fromStatus(tooBig)).isExactlyInstanceOf(InvalidArgumentException.class)
                .hasMessage("message too large");

        assertThat(RemoteErrors.fromStatus(RemoteErrors.toStatus(new TopicNotFoundException("orders"), null, null)))
                .isInstanceOfSatisfying(TopicNotFoundException.class, e -> assertThat(e.topic()).isEqualTo("orders"));
        assertThat(RemoteErrors.fromStatus(RemoteErrors.toStatus(new ConsumerGroupNotFoundException("orders", "billing"),
                "orders", "billing"))).isInstanceOf(ConsumerGroupNotFoundException.class);
    }

    @Test
    void anUntypedResourceExhaustedThatIsASizeLimitIsBadInput() {
        for (String description : List.of(
                "gRPC message exceeds maximum size 1048576: 2097152", // grpc-java, the server's request limit
                "Decompressed gRPC message exceeds maximum size 1048576",
                "message too large 2097152 > 1048576", // grpc-java, an outbound limit
                "Client Headers of size 9000 exceeded Metadata size soft limit: 8192",
                "grpc: received message larger than max (2097152 vs. 1048576)", // grpc-go
                "Received message larger than max (2097152 vs. 1048576)")) { // gRPC core
            assertThat(RemoteErrors.fromStatus(untyped(Status.Code.RESOURCE_EXHAUSTED, description)))
                    .as(description).isExactlyInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("rejected by the server's limits").hasMessageContaining(description);
        }
    }

    @Test
    void anyOtherUntypedResourceExhaustedIsABusyServerNeverBadInput() {
        for (String description : java.util.Arrays.asList(
                "more than 512 shared acquires waiting; retry", // servers before the typed refusal
                "quota exceeded",
                null)) {
            assertThat(RemoteErrors.fromStatus(untyped(Status.Code.RESOURCE_EXHAUSTED, description)))
                    .as(String.valueOf(description)).isExactlyInstanceOf(ServerBusyException.class)
                    .hasMessageContaining(description == null ? "RESOURCE_EXHAUSTED" : description);
        }
        // As a future of a call reports it: the status is the cause.
        assertThat(RemoteErrors.fromStatus(new java.util.concurrent.ExecutionException(
                untyped(Status.Code.RESOURCE_EXHAUSTED, "more than 512 shared acquires waiting; retry"))))
                .isExactlyInstanceOf(ServerBusyException.class);
    }

    @Test
    void otherUntypedCodesKeepTheirMeaning() {
        assertThat(RemoteErrors.fromStatus(untyped(Status.Code.UNAVAILABLE, "io exception")))
                .isInstanceOf(ServerUnavailableException.class);
        assertThat(RemoteErrors.fromStatus(untyped(Status.Code.DEADLINE_EXCEEDED, "deadline")))
                .isInstanceOf(ServerUnavailableException.class);
        assertThat(RemoteErrors.fromStatus(untyped(Status.Code.UNAUTHENTICATED, "no token")))
                .isInstanceOf(UnauthenticatedException.class);
        assertThat(RemoteErrors.fromStatus(untyped(Status.Code.PERMISSION_DENIED, "no grant")))
                .isInstanceOf(PermissionDeniedException.class);
        assertThat(RemoteErrors.fromStatus(untyped(Status.Code.INVALID_ARGUMENT, "bad")))
                .isExactlyInstanceOf(InvalidArgumentException.class).hasMessage("bad");
        assertThat(RemoteErrors.fromStatus(untyped(Status.Code.INTERNAL, "boom")))
                .isExactlyInstanceOf(RocksMqException.class).hasMessageContaining("INTERNAL");
    }
}
