package io.rocksmq.core;

import java.util.Arrays;

/**
 * A copy-on-write set of registrations: readers take the current array with no lock and no
 * allocation (the notification path); writers replace it.
 *
 * <p>Thread-safe for readers; writers must be serialised by the caller (the topic's admin lock).
 */
final class RegistrationSet {
    private static final ConsumerRegistration[] NONE = new ConsumerRegistration[0];

    private volatile ConsumerRegistration[] members = NONE;

    /** The current members; never modified in place. */
    ConsumerRegistration[] snapshot() {
        return members;
    }

    void add(ConsumerRegistration r) {
        ConsumerRegistration[] old = members;
        ConsumerRegistration[] copy = Arrays.copyOf(old, old.length + 1);
        copy[old.length] = r;
        members = copy;
    }

    void remove(ConsumerRegistration r) {
        ConsumerRegistration[] old = members;
        for (int i = 0; i < old.length; i++) {
            if (old[i] == r) {
                ConsumerRegistration[] copy = new ConsumerRegistration[old.length - 1];
                System.arraycopy(old, 0, copy, 0, i);
                System.arraycopy(old, i + 1, copy, i, old.length - i - 1);
                members = copy;
                return;
            }
        }
    }

    /** Empties the set and returns what it held. */
    ConsumerRegistration[] clear() {
        ConsumerRegistration[] taken = members;
        members = NONE;
        return taken;
    }

    int size() {
        return members.length;
    }
}
