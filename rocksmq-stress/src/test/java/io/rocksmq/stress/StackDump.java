package io.rocksmq.stress;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/** Thread dumps for hang reports. Thread-safe (stateless). */
public final class StackDump {
    private StackDump() {
    }

    public static String of(Thread t) {
        StringBuilder sb = new StringBuilder(t.getName()).append(" (").append(t.getState()).append(")\n");
        for (StackTraceElement e : t.getStackTrace()) {
            sb.append("    at ").append(e).append('\n');
        }
        return sb.toString();
    }

    public static String all() {
        StringBuilder sb = new StringBuilder();
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            sb.append(info);
        }
        return sb.toString();
    }
}
