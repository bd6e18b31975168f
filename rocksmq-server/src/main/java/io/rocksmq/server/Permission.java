package io.rocksmq.server;

/** What a token may do on the topics its pattern matches. */
public enum Permission {
    /** Send messages (and create the topic). */
    PRODUCE,
    /** Subscribe, acknowledge, seek (and create the topic and the subscription). */
    CONSUME,
    /** Delete topics and subscriptions; everything else too. */
    ADMIN
}
