package io.rocksmq.cli;

import io.rocksmq.api.Message;
import io.rocksmq.api.OutgoingMessage;
import io.rocksmq.core.ConsumerMessage;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints messages as text, hex or JSON lines.
 *
 * <ul>
 *   <li>{@code text}: the payload as UTF-8 (invalid bytes replaced); with {@code --meta}, preceded by
 *       id, publish time, key (empty if none) and properties, tab-separated.</li>
 *   <li>{@code hex}: the payload in lower-case hex; {@code --meta} as for text.</li>
 *   <li>{@code json}: one object per line with id, publish time, key (if any), properties and the
 *       payload, as a string when it is valid UTF-8, else as {@code payloadBase64}.</li>
 * </ul>
 *
 * <p>The key is the one the client API sets ({@link OutgoingMessage#KEY_PROPERTY}); other reserved
 * {@code __rmq.} properties are backend bookkeeping and not shown.
 *
 * <p>Not thread-safe; confined to the command's thread.
 */
final class MessagePrinter {
    enum Format { text, hex, json }

    private final PrintWriter out;
    private final Format format;
    private final boolean meta;

    MessagePrinter(PrintWriter out, Format format, boolean meta) {
        this.out = out;
        this.format = format;
        this.meta = meta;
    }

    void print(ConsumerMessage m) {
        print(m.id(), m.publishTime(), m.properties(), null, m.payload());
    }

    /** A message received through the client API (from a server). */
    void print(Message m) {
        print(m.id().offset(), m.publishTime(), m.properties(), m.key().orElse(null), m.payload());
    }

    private void print(long id, long publishTime, Map<String, String> messageProperties, String givenKey, byte[] payload) {
        Map<String, String> properties = new TreeMap<>(messageProperties);
        String keyProperty = properties.remove(OutgoingMessage.KEY_PROPERTY);
        String key = givenKey != null ? givenKey : keyProperty;
        properties.keySet().removeIf(name -> name.startsWith(OutgoingMessage.RESERVED_PROPERTY_PREFIX));
        if (format == Format.json) {
            Map<String, Object> o = Json.object("id", id, "publishTime", Text.time(publishTime));
            if (key != null) {
                o.put("key", key);
            }
            o.put("properties", properties);
            String utf8 = strictUtf8(payload);
            if (utf8 != null) {
                o.put("payload", utf8);
            } else {
                o.put("payloadBase64", Base64.getEncoder().encodeToString(payload));
            }
            out.println(Json.write(o));
            return;
        }
        StringBuilder sb = new StringBuilder();
        if (meta) {
            sb.append(id).append('\t').append(Text.time(publishTime)).append('\t')
                    .append(key == null ? "" : key).append('\t');
            boolean first = true;
            for (Map.Entry<String, String> e : properties.entrySet()) {
                sb.append(first ? "" : ",").append(e.getKey()).append('=').append(e.getValue());
                first = false;
            }
            sb.append('\t');
        }
        sb.append(format == Format.hex ? HexFormat.of().formatHex(payload)
                : new String(payload, StandardCharsets.UTF_8));
        out.println(sb);
    }

    void flush() {
        out.flush();
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
