/**
 * The toolkit every client backend is built from — <b>for backends, not applications</b>; anything here
 * may change in any release.
 *
 * <ul>
 *   <li>{@link io.rocksmq.api.internals.AbstractMqClient}: the client's registry (closed flag, open
 *       producers, one consumer per subscription) with {@code createProducer}/{@code subscribe}/{@code close}
 *       as templates; a backend supplies the hooks.</li>
 *   <li>{@link io.rocksmq.api.internals.ReceiveBuffer}: a consumer's bounded read-ahead buffer and its
 *       stopped state, used under the backend's own lock.</li>
 *   <li>{@link io.rocksmq.api.internals.AckRing}: what a consumer read, handed out and acknowledged, and where
 *       the persisted position may move; one rule for repeated, out-of-order and premature acks.</li>
 *   <li>{@link io.rocksmq.api.internals.ListenerDispatcher}: push delivery to a
 *       {@link io.rocksmq.api.MessageListener}, in order and never overlapping, with errors reported through
 *       {@link io.rocksmq.api.internals.ListenerErrors}.</li>
 *   <li>Small helpers: {@link io.rocksmq.api.internals.Threads}, {@link io.rocksmq.api.internals.Durations},
 *       {@link io.rocksmq.api.internals.Closer}, {@link io.rocksmq.api.internals.UriParameters}.</li>
 * </ul>
 */
package io.rocksmq.api.internals;
