package io.rocksmq.server;

import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.RocksMqException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The bearer tokens a server accepts, kept <em>hashed</em> in a text file, one token per line:
 *
 * <pre>
 * # name      hash                     grants (permission:topic-glob, comma-separated)
 * billing     sha256:5f1c…(64 hex)     produce:orders,consume:orders*
 * ops         sha256:0a9b…             admin:*
 * </pre>
 *
 * A glob's {@code *} matches any run of characters (also none); {@code admin} implies the other two. Tokens
 * are 32 random bytes ({@code rmq_} + base64url), so an unsalted SHA-256 keeps them safe at rest; the
 * file holds no token itself, and {@link #create} prints the token only once, to its caller.
 *
 * <h2>Reloading</h2>
 * A store made by {@link #watching} reads its file again when the file has changed (modification time,
 * size or file identity), looking at most once per check interval and only when a call presents a token
 * (no thread, no signal): a token removed from the file is refused on its first call after the next
 * look, a token added is accepted. A file that no longer parses, or cannot be read, keeps the tokens
 * loaded before (logged, without any token or line content), so a half-written file never locks every
 * client out. Calls already admitted (an open subscription stream) are not ended by a revocation.
 *
 * <p>Thread-safe: the hashes are an immutable map behind a volatile reference, replaced whole by the one
 * thread that holds {@link #reloading} (others keep verifying against the current map meanwhile).
 */
public final class TokenStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TokenStore.class);
    private static final String PREFIX = "rmq_";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The accepted hashes; replaced whole on reload. */
    private volatile Map<String, Principal> byHash;
    /** The watched file, or null for a store loaded once. */
    private final Path file;
    private final long checkEveryNanos;
    private final java.util.concurrent.locks.ReentrantLock reloading = new java.util.concurrent.locks.ReentrantLock();
    /** When the file was last looked at: written under {@link #reloading}, read without it (a stale read only delays a look). */
    private volatile long lastCheck;
    /** Guarded by {@link #reloading}: what the file looked like then. */
    private FileStamp stamp;

    private TokenStore(Map<String, Principal> byHash, Path file, java.time.Duration checkEvery, FileStamp stamp) {
        this.byHash = Map.copyOf(byHash);
        this.file = file;
        this.checkEveryNanos = checkEvery.toNanos();
        this.stamp = stamp;
        this.lastCheck = System.nanoTime();
    }

    /** What tells a changed file: modification time, size and identity (a file replaced by a rename). */
    private record FileStamp(java.nio.file.attribute.FileTime modified, long size, Object key) {
        static FileStamp of(Path file) throws IOException {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            return new FileStamp(a.lastModifiedTime(), a.size(), a.fileKey());
        }
    }

    /** Who a token belongs to and what it may do. Thread-safe (immutable). */
    public record Principal(String name, List<Grant> grants) {
        /** May this principal do {@code p} on {@code topic}? */
        public boolean may(Permission p, String topic) {
            for (Grant g : grants) {
                if ((g.permission() == p || g.permission() == Permission.ADMIN) && g.matches(topic)) {
                    return true;
                }
            }
            return false;
        }

        /** Has this principal any permission on {@code topic}? */
        public boolean mayAny(String topic) {
            for (Grant g : grants) {
                if (g.matches(topic)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One grant: a permission on the topics a glob matches. */
    public record Grant(Permission permission, String glob) {
        public boolean matches(String topic) {
            return topic != null && toRegex(glob).matcher(topic).matches();
        }

        private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();

        private static Pattern toRegex(String glob) {
            return COMPILED.computeIfAbsent(glob, g -> {
                StringBuilder b = new StringBuilder();
                int from = 0;
                for (int i = 0; i < g.length(); i++) {
                    if (g.charAt(i) == '*') {
                        b.append(Pattern.quote(g.substring(from, i))).append(".*");
                        from = i + 1;
                    }
                }
                return Pattern.compile(b.append(Pattern.quote(g.substring(from))).toString(), Pattern.DOTALL);
            });
        }

        @Override
        public String toString() {
            return permission.name().toLowerCase(Locale.ROOT) + ":" + glob;
        }
    }

    /**
     * Reads a token file.
     *
     * @throws InvalidArgumentException if a line is malformed (its number is given; the line is not printed)
     * @throws RocksMqException         if the file cannot be read
     */
    public static TokenStore load(Path file) {
        return new TokenStore(parse(file), null, java.time.Duration.ZERO, null);
    }

    /**
     * Reads a token file and keeps watching it: see the class javadoc, Reloading.
     *
     * @param checkEvery the longest a change to the file goes unnoticed by calls (zero: look at every call)
     * @throws InvalidArgumentException if a line is malformed now, or {@code checkEvery} is negative
     * @throws RocksMqException         if the file cannot be read now
     */
    public static TokenStore watching(Path file, java.time.Duration checkEvery) {
        if (checkEvery == null || checkEvery.isNegative()) {
            throw new InvalidArgumentException("the token file check interval must be zero or positive, was " + checkEvery);
        }
        FileStamp stamp;
        try {
            stamp = FileStamp.of(file);
        } catch (IOException e) {
            throw new RocksMqException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
        return new TokenStore(parse(file), file, checkEvery, stamp);
    }

    /** A watching store: reads the file again if it is time to look and it has changed. */
    private void reloadIfChanged() {
        if (file == null || System.nanoTime() - lastCheck < checkEveryNanos || !reloading.tryLock()) {
            return;
        }
        try {
            long now = System.nanoTime();
            if (now - lastCheck < checkEveryNanos) {
                return;
            }
            lastCheck = now;
            FileStamp current = FileStamp.of(file);
            if (current.equals(stamp)) {
                return;
            }
            Map<String, Principal> loaded = parse(file);
            byHash = Map.copyOf(loaded);
            stamp = current;
            LOG.info("token file reloaded file={} tokens={}", file, loaded.size());
        } catch (IOException | RocksMqException e) {
            // keep the tokens loaded before; the message names the file and a line number, never its content
            LOG.warn("token file not reloaded, the previous tokens stay in force file={} reason={}", file, e.getMessage());
            try {
                stamp = FileStamp.of(file); // do not retry the same broken file at every call
            } catch (IOException gone) {
                // looked at again next time
            }
        } finally {
            reloading.unlock();
        }
    }

    private static Map<String, Principal> parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RocksMqException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
        Map<String, Principal> byHash = new java.util.HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length != 3 || !f[1].startsWith("sha256:") || f[1].length() != 7 + 64) {
                throw new InvalidArgumentException(file + " line " + (i + 1) + ": expected 'NAME sha256:HEX GRANTS'");
            }
            byHash.put(f[1].substring(7).toLowerCase(Locale.ROOT), new Principal(f[0], parseGrants(f[2], file, i + 1)));
        }
        return byHash;
    }

    private static List<Grant> parseGrants(String s, Path file, int line) {
        List<Grant> out = new ArrayList<>();
        for (String g : s.split(",")) {
            int colon = g.indexOf(':');
            if (colon <= 0 || colon == g.length() - 1) {
                throw new InvalidArgumentException(file + " line " + line + ": a grant is PERMISSION:GLOB, got '" + g + "'");
            }
            Permission p;
            try {
                p = Permission.valueOf(g.substring(0, colon).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidArgumentException(file + " line " + line + ": unknown permission '"
                        + g.substring(0, colon) + "' (produce, consume, admin)");
            }
            out.add(new Grant(p, g.substring(colon + 1)));
        }
        return List.copyOf(out);
    }

    /** The principal of a presented token, if the file has its hash. */
    public Optional<Principal> verify(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return verifyHash(hash(token));
    }

    /** The principal of a token by its hash ({@link #hash}), as the file says now. */
    Optional<Principal> verifyHash(String tokenHash) {
        reloadIfChanged();
        return Optional.ofNullable(byHash.get(tokenHash));
    }

    public int size() {
        return byHash.size();
    }

    /**
     * Creates a token, appends its hash with its name and grants to {@code file} (created, owner-only where
     * the file system allows), and returns the token: the only time it is visible.
     *
     * @throws InvalidArgumentException if the name is empty or has blanks, or there is no grant
     */
    public static String create(Path file, String name, List<Grant> grants) {
        if (name == null || name.isEmpty() || name.chars().anyMatch(Character::isWhitespace) || name.startsWith("#")) {
            throw new InvalidArgumentException("a token name must be non-empty, without blanks, not starting with '#'");
        }
        if (grants == null || grants.isEmpty()) {
            throw new InvalidArgumentException("a token needs at least one grant (produce, consume or admin on a topic glob)");
        }
        for (Grant g : grants) {
            if (g.glob().isEmpty() || g.glob().chars().anyMatch(c -> Character.isWhitespace(c) || c == ',')) {
                throw new InvalidArgumentException("a topic glob must be non-empty, without blanks or commas: '" + g.glob() + "'");
            }
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        StringBuilder line = new StringBuilder(name).append(" sha256:").append(hash(token)).append(' ');
        for (int i = 0; i < grants.size(); i++) {
            line.append(i == 0 ? "" : ",").append(grants.get(i));
        }
        line.append('\n');
        try {
            boolean created = !Files.exists(file);
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (created) {
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // hashes only: no secret is exposed by a readable file
                }
            }
        } catch (IOException e) {
            throw new RocksMqException("cannot write the token file " + file + ": " + e.getMessage(), e);
        }
        return token;
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
