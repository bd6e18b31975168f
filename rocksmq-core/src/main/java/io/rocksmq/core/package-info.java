/**
 * The embedded queue engine: one flat package, so that its parts can share package-private state without
 * making it public. Applications use {@link io.rocksmq.core.RocksMq} (the broker-level API) or, more
 * often, the backend-neutral client API of {@code io.rocksmq.api} on top of it; every other class here is
 * package-private.
 *
 * <h2>The parts</h2>
 * <dl>
 *   <dt>Facade</dt>
 *   <dd>{@link io.rocksmq.core.RocksMq}: validates arguments, enters the lifecycles a call touches,
 *       delegates, and tells the {@link io.rocksmq.core.QueueListener} ({@code ListenerSlot}); its handles
 *       {@link io.rocksmq.core.QueueAdmin} (retention, message settings, stats) and
 *       {@link io.rocksmq.core.SharedGroup} (a work queue) do the same for their calls. {@code QueueEngine} holds the parts
 *       of an open queue, opens and closes them in order, and is how a call enters the queue, a topic or a
 *       group. Its public value types:
 *       {@link io.rocksmq.core.RocksMqConfig}, {@link io.rocksmq.core.ProducerMessage},
 *       {@link io.rocksmq.core.ConsumerMessage}, {@link io.rocksmq.core.Durability},
 *       {@link io.rocksmq.core.RetentionPolicy}, {@link io.rocksmq.core.TopicStats}.</dd>
 *   <dt>Registry and lifecycles</dt>
 *   <dd>{@code TopicRegistry} (the topics, their groups, and every metadata write that creates or
 *       destroys one), {@code Topic}, {@code ConsumerGroup}, {@code Lifecycle} (state and in-flight count
 *       in one atomic word), {@code Recovery} (rebuilds and checks the registry at open), {@code Names}.</dd>
 *   <dt>Write path</dt>
 *   <dd>{@code ProducePath} (one produce: encode, append, wake, backpressure, fsync wait),
 *       {@code Topic.append} with {@code WriteCombiner} (concurrent produces in one RocksDB write),
 *       {@code RocksStore} (the RocksDB instance and its writes), {@code WalSyncer} (group commit),
 *       {@code DiskSpaceGuard}.</dd>
 *   <dt>Read path</dt>
 *   <dd>{@code MessageReader}, {@code ReadCursor} (a group's iterator kept between consumes),
 *       {@code RecentReads} (batches shared by groups reading a topic in step), {@code MessageList} and
 *       {@link io.rocksmq.core.ConsumerMessage} (views over the stored bytes).</dd>
 *   <dt>Shared groups (work queues)</dt>
 *   <dd>{@link io.rocksmq.core.SharedGroup} (the workers' handle), {@link io.rocksmq.core.SharedGroupOptions},
 *       {@code SharedGroups} (creation, destruction and recovery records, entering lifecycles),
 *       {@code SharedGroupState} (the operations and their writes, under the group's position lock),
 *       {@code SharedMessageStates} (per-message states, fencing and timers; the state diagram),
 *       {@code SharedLayout} (their records).</dd>
 *   <dt>Scheduled delivery</dt>
 *   <dd>{@code Scheduler} (the due-time waiter, the atomic move, cancel; the design),
 *       {@code ScheduleLayout} (its records), {@link io.rocksmq.core.ScheduleHandle},
 *       {@link io.rocksmq.core.ScheduledMessage}.</dd>
 *   <dt>Wake-up</dt>
 *   <dd>{@code TopicSignal}, {@link io.rocksmq.core.ConsumerRegistration}, {@code RegistrationSet},
 *       {@link io.rocksmq.core.AwaitResult}: a consumer waits on a sequence, so no wake-up is lost, and
 *       signalling takes no lock.</dd>
 *   <dt>Storage format</dt>
 *   <dd>{@code StorageLayout} (column families, every key and metadata value, the format version) and
 *       {@code BatchFormat} (the value of a message entry: a batch of messages).</dd>
 *   <dt>Retention</dt>
 *   <dd>{@code Retention} (the queue's policies and passes), {@code RetentionWorker},
 *       {@code RetentionPlanner}, {@code RetentionPass}, {@code RetentionLoader}, {@code TopicSpace}
 *       (per-topic byte accounting), {@code EntryScanner}, {@code SpaceReclaimer} (drops files and
 *       compacts deleted ranges in the background).</dd>
 * </dl>
 *
 * <h2>Lock order</h2>
 * Every lock of the engine, outermost first. A thread holding one may take only locks further down the
 * list; locks on one line are never held together (unless the line says in which order).
 * <ol>
 *   <li>{@code TopicRegistry}'s lock (topic create and destroy); or {@code Retention}'s pass lock (one
 *       retention pass at a time). Never both.</li>
 *   <li>A topic's admin lock ({@code Topic.underAdminLock}: group create and destroy, registrations,
 *       retention policy changes, retention's cut). One topic's at a time.</li>
 *   <li>A group's position lock ({@code ConsumerGroup.underPositionLock}: consume, seek, skip counts,
 *       the group's cursor). Several only in retention's cut, taken in group-name order; a consume holds
 *       one.</li>
 *   <li>The scheduler's lock ({@code Scheduler}: its waiter's move of due messages, a cancel): taken with
 *       none of the above held; the move takes a topic's produce lock inside it, and nothing holding a
 *       produce lock takes it.</li>
 *   <li>A topic's produce lock (inside {@code Topic.append}; also {@code Topic.purgeDeduplication}, which
 *       forgets expired deduplication ids): taken with none of the above held, except by the retention
 *       pass, which purges under its pass lock (a produce never waits for the pass lock), and by a shared
 *       group's dead letter, which appends to the dead-letter topic holding the group's position lock
 *       ({@code SharedGroupState}); no holder of a produce lock takes a position lock.</li>
 *   <li>Leaves, which take no other lock: {@code TopicSpace}'s segment lock and room monitor,
 *       {@code DiskSpaceGuard}'s monitor, {@code WalSyncer}'s lock, {@code SpaceReclaimer}'s lock.</li>
 * </ol>
 * The lifecycles are not locks: entering one never waits. Destruction waits for an in-flight count to
 * drain while holding one lock: {@code destroyTopic} the registry's lock, {@code destroyConsumerGroup} the
 * topic's admin lock. No operation counted there needs that lock: nothing that enters a topic takes the
 * registry's lock, and nothing that enters a group takes its topic's admin lock (registration checks the
 * group under the admin lock instead of entering it). The produce, consume, seek and notify paths take
 * no lock of levels 1 and 2, and signalling a consumer takes none at all.
 *
 * <p>Locks belong to the class whose state they guard and are private to it; other classes take them
 * through that class's methods ({@code LockPrivacyTest} checks that no lock field is reachable from
 * outside its class).
 */
package io.rocksmq.core;
