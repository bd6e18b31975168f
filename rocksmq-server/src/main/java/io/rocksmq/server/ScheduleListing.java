package io.rocksmq.server;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.core.ProducerMessage;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.ScheduledMessage;
import io.rocksmq.remote.proto.ListSchedulesRequest;
import io.rocksmq.remote.proto.ListSchedulesResponse;
import io.rocksmq.remote.proto.ScheduledMessageInfo;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code ListSchedules} call: a topic's scheduled messages still waiting, earliest due first, as the
 * client API would have sent them (the key back out of its reserved property), within a count and a
 * size bound so one answer never exceeds what the server itself would accept as a request.
 *
 * <p>Thread-safe: stateless.
 */
final class ScheduleListing {
    /** Answered when the request asks for 0. */
    static final int DEFAULT_MAX = 100;
    static final int MAX = io.rocksmq.remote.RemoteMqClient.MAX_LISTED_SCHEDULES;

    private ScheduleListing() {
    }

    static ListSchedulesResponse list(RocksMq mq, ListSchedulesRequest r, long maxResponseBytes) {
        int max = r.getMax() == 0 ? DEFAULT_MAX : r.getMax();
        if (max < 0 || max > MAX) { // uint32 above 2^31 reads negative
            throw new InvalidArgumentException("max must be 1 to " + MAX + ", was " + Integer.toUnsignedString(r.getMax()));
        }
        long total = mq.admin().scheduledCount(r.getTopic());
        ListSchedulesResponse.Builder b = ListSchedulesResponse.newBuilder().setTotal(total);
        long bytes = 0;
        for (ScheduledMessage s : mq.admin().scheduled(r.getTopic(), max)) {
            ScheduledMessageInfo info = ScheduledMessageInfo.newBuilder().setHandle(s.handle().token())
                    .setDueAtMillis(s.handle().dueAtMillis()).setMessage(toWire(s.message())).build();
            bytes += info.getSerializedSize() + 8;
            if (bytes > maxResponseBytes && b.getMessagesCount() > 0) {
                break; // the rest waits for a later call (total says how many)
            }
            b.addMessages(info);
        }
        return b.build();
    }

    private static io.rocksmq.remote.proto.OutgoingMessage toWire(ProducerMessage m) {
        Map<String, String> properties = m.properties();
        String key = properties.get(OutgoingMessage.KEY_PROPERTY);
        if (key != null) {
            properties = new HashMap<>(properties);
            properties.remove(OutgoingMessage.KEY_PROPERTY);
        }
        io.rocksmq.remote.proto.OutgoingMessage.Builder b = io.rocksmq.remote.proto.OutgoingMessage.newBuilder()
                .setPayload(com.google.protobuf.ByteString.copyFrom(m.payload())).putAllProperties(properties);
        if (key != null) {
            b.setKey(key);
        }
        if (m.deduplicationId() != null) {
            b.setDeduplicationId(m.deduplicationId());
        }
        if (m.expiresAtMillis() > 0) {
            b.setExpiresAtMillis(m.expiresAtMillis());
        }
        if (m.ttlMillis() > 0) {
            b.setTtlMillis(m.ttlMillis());
        }
        return b.build();
    }
}
