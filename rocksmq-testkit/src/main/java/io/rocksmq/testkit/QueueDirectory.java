package io.rocksmq.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link java.nio.file.Path} parameter that {@link EmbeddedMqExtension} resolves to the data
 * directory of the test's embedded queue (the one its injected {@link io.rocksmq.api.MqClient} uses):
 * {@code void survivesRestart(MqClient client, @QueueDirectory Path dir)}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface QueueDirectory {
}
