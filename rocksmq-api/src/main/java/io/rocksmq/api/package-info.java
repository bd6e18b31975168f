/**
 * The backend-neutral client API: what applications program against, the same on every backend.
 *
 * <ul>
 *   <li>Entry point: {@link io.rocksmq.api.MqClient#open(String)} picks the backend by the URI's scheme
 *       ({@code rocksmq:<directory>} embedded, {@code kafka://...} Kafka) among the
 *       {@link io.rocksmq.api.MqClientProvider}s on the class path.</li>
 *   <li>Producing: {@link io.rocksmq.api.Producer}, {@link io.rocksmq.api.ProducerOptions},
 *       {@link io.rocksmq.api.OutgoingMessage}.</li>
 *   <li>Consuming: {@link io.rocksmq.api.Consumer}, {@link io.rocksmq.api.ConsumerOptions},
 *       {@link io.rocksmq.api.Message}, {@link io.rocksmq.api.MessageId},
 *       {@link io.rocksmq.api.MessageListener}, {@link io.rocksmq.api.SubscriptionInitialPosition},
 *       {@link io.rocksmq.api.SubscriptionInfo}. Delivery is at-least-once; acks commit the contiguous
 *       acked prefix.</li>
 *   <li>Errors: one unchecked root, {@link io.rocksmq.api.RocksMqException}, and the subclasses a caller
 *       acts on. Bad input is an {@link io.rocksmq.api.InvalidArgumentException} (or
 *       {@link io.rocksmq.api.InvalidNameException}) and changes nothing; a failing or unreachable backend
 *       is a {@link io.rocksmq.api.StorageException}.</li>
 * </ul>
 *
 * <p>This module depends on no backend. The semantics every backend must keep are checked by the
 * contract suite in {@code rocksmq-testkit}. Every type here documents its thread-safety; clients,
 * producers and consumers are thread-safe.
 */
package io.rocksmq.api;
