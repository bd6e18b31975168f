package io.rocksmq.server;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.rocksmq.remote.QueueGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * gRPC server reflection works with the hand-written method descriptors: a tool that knows nothing of the
 * .proto (grpcurl, say) lists the services and gets the schema of rocksmq.v1.Queue, with every method the
 * server binds; without a token, on a server that requires one.
 */
class ReflectionTest {
    @TempDir
    Path dir;

    private static ServerReflectionResponse ask(ManagedChannel channel, ServerReflectionRequest request) throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse r) {
                        answer.complete(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(request);
        ServerReflectionResponse r = answer.get(30, TimeUnit.SECONDS);
        requests.onCompleted();
        return r;
    }

    @Test
    void reflectionListsTheQueueServiceAndGivesItsSchema() throws Exception {
        Path tokens = dir.resolve("tokens");
        TokenStore.create(tokens, "ops", List.of(new TokenStore.Grant(Permission.ADMIN, "*")));
        try (RmqServer server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0)
                .tokens(TokenStore.load(tokens)).start()) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                ServerReflectionResponse services = ask(channel, ServerReflectionRequest.newBuilder().setListServices("").build());
                assertThat(services.getListServicesResponse().getServiceList()).extracting(ServiceResponse::getName)
                        .contains(QueueGrpc.SERVICE_NAME, "grpc.health.v1.Health");

                ServerReflectionResponse file = ask(channel, ServerReflectionRequest.newBuilder()
                        .setFileContainingSymbol(QueueGrpc.SERVICE_NAME).build());
                FileDescriptorProto proto = FileDescriptorProto.parseFrom(
                        file.getFileDescriptorResponse().getFileDescriptorProto(0));
                assertThat(proto.getPackage()).isEqualTo("rocksmq.v1");
                ServiceDescriptorProto queue = proto.getServiceList().stream()
                        .filter(s -> s.getName().equals("Queue")).findFirst().orElseThrow();
                assertThat(queue.getMethodList()).extracting(MethodDescriptorProto::getName)
                        .containsExactlyInAnyOrderElementsOf(QueueGrpc.METHODS.stream()
                                .map(MethodDescriptor::getBareMethodName).toList());
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }
}
