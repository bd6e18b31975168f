/**
 * The network protocol of {@code rmq serve} and the client API on it.
 *
 * <ul>
 *   <li>The contract: {@code rocksmq/v1/rocksmq.proto} (in this jar and in the source tree), for clients in
 *       any language; {@link io.rocksmq.remote.QueueGrpc} holds its gRPC method descriptors.</li>
 *   <li>The remote backend: {@code MqClient.open("rmq://host:7650?token=…")} ({@link
 *       io.rocksmq.remote.RemoteMqClientProvider}, {@link io.rocksmq.remote.RemoteOptions}), built on the
 *       shared client toolkit.</li>
 *   <li>Errors: the API's typed exceptions travel in a trailer ({@link io.rocksmq.remote.RemoteErrors});
 *       the network adds {@link io.rocksmq.remote.ServerUnavailableException},
 *       {@link io.rocksmq.remote.UnauthenticatedException} and {@link io.rocksmq.remote.PermissionDeniedException}.</li>
 * </ul>
 */
package io.rocksmq.remote;
