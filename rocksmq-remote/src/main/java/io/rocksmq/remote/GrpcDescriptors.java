package io.rocksmq.remote;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import io.grpc.protobuf.ProtoUtils;
import io.rocksmq.remote.proto.RocksMqProto;

import java.util.List;

/**
 * What {@link QueueGrpc} and {@link SharedQueueGrpc} build their hand-written descriptors with: a method
 * with protobuf marshallers, and a service carrying the .proto's descriptors as its schema (what gRPC's
 * server reflection hands to tools such as grpcurl; generated code attaches the same).
 *
 * <p>Thread-safe: stateless.
 */
final class GrpcDescriptors {
    private GrpcDescriptors() {
    }

    static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(
            String serviceName, MethodType type, String name, Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder()
                .setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(serviceName, name))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
    }

    /** The service {@code serviceName} (service {@code protoName} of rocksmq.proto) with these methods. */
    static ServiceDescriptor service(String serviceName, String protoName, List<MethodDescriptor<?, ?>> methods) {
        ServiceDescriptor.Builder b = ServiceDescriptor.newBuilder(serviceName).setSchemaDescriptor(new Schema(protoName));
        methods.forEach(b::addMethod);
        return b.build();
    }

    /** The file and service descriptors protoc compiled from rocksmq.proto. */
    private record Schema(String protoName) implements ProtoServiceDescriptorSupplier {
        @Override
        public Descriptors.FileDescriptor getFileDescriptor() {
            return RocksMqProto.getDescriptor();
        }

        @Override
        public Descriptors.ServiceDescriptor getServiceDescriptor() {
            return getFileDescriptor().findServiceByName(protoName);
        }
    }
}
