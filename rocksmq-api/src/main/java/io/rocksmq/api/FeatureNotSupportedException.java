package io.rocksmq.api;

/**
 * The backend does not offer this feature (for example scheduled delivery on Kafka). Nothing was sent or
 * changed. Thread-safe (immutable).
 */
public class FeatureNotSupportedException extends RocksMqException {
    private static final long serialVersionUID = 1L;

    public FeatureNotSupportedException(String feature) {
        super("this backend does not support " + feature);
    }
}
