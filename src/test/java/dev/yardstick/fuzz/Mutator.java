package dev.yardstick.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Seeded mutations of valid request bodies, for fuzzing any endpoint: JSON-aware ones (a value
 * replaced by an absurd number, text with NUL, a wrong type, deep nesting, a removed field) and
 * byte-level ones (truncation, flipped, inserted or repeated bytes, random bytes). The same seed
 * gives the same bodies.
 */
public final class Mutator {

    /** Number literals no sane client sends, written raw into the JSON text. */
    public static final List<String> ABSURD_NUMBERS = List.of("1e999999999", "-1e999999999", "1e-999999999",
            "1e309", "-1e309", "1e308", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
            "99999999999999999999999999999999999999", "1000000000000", "1e12", "-1", "-0.0", "0.000000001",
            "123456789012345678901234567890.123456789", "1".repeat(999), "4.9e-324", "-1e-400");
    /** Strings PostgreSQL or a number parser may choke on. */
    public static final List<String> NASTY_STRINGS = List.of("\u0000", "a\u0000b", "1e999999999", "-1e309",
            "NaN", "Infinity", "-Infinity", "\uD800", "\uDFFF x", "\u202E", "\\u0000", "%00", "' or 1=1 --",
            "𝄞", "", " ", "9".repeat(400), "1e-999999999", "0x10", "null");

    /** What must never appear in a response body: a Java package or class name, or a stack frame. */
    public static final Pattern JAVA_NAMES = Pattern.compile(
            "java\\.|jakarta\\.|javax\\.|com\\.fasterxml|com\\.google|com\\.slack|org\\.postgresql|io\\.quarkus"
                    + "|io\\.vertx|dev\\.yardstick|Exception|\\bat [a-z]+\\.");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final Random random;

    /** A mutator whose choices follow {@code seed}. */
    public Mutator(long seed) {
        this.random = new Random(seed);
    }

    /** The underlying random source, for callers that pick among their own variants. */
    public Random random() {
        return random;
    }

    /** One mutation of a JSON body: structured three times out of four, else byte-level. */
    public byte[] mutateJson(byte[] valid) {
        if (random.nextInt(4) == 0) {
            return mutateBytes(valid);
        }
        try {
            JsonNode root = JSON.readTree(valid);
            Map<String, String> raw = new HashMap<>();
            int edits = 1 + random.nextInt(3);
            for (int i = 0; i < edits; i++) {
                root = mutateTree(root, raw);
            }
            String text = JSON.writeValueAsString(root);
            for (var e : raw.entrySet()) {
                text = text.replace("\"" + e.getKey() + "\"", e.getValue());
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return random.nextInt(10) == 0 ? mutateBytes(bytes) : bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One byte-level mutation, for any body (JSON, protobuf, text). */
    public byte[] mutateBytes(byte[] valid) {
        byte[] b = valid.clone();
        switch (random.nextInt(7)) {
            case 0 -> {
                return java.util.Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length));
            }
            case 1 -> {
                for (int i = 0, n = 1 + random.nextInt(8); i < n && b.length > 0; i++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            }
            case 2 -> {
                int at = random.nextInt(b.length + 1);
                byte[] ins = randomBytes(1 + random.nextInt(16));
                return concat(java.util.Arrays.copyOf(b, at), ins, java.util.Arrays.copyOfRange(b, at, b.length));
            }
            case 3 -> {
                if (b.length == 0) {
                    return randomBytes(64);
                }
                int from = random.nextInt(b.length);
                int to = from + 1 + random.nextInt(Math.min(64, b.length - from));
                byte[] chunk = java.util.Arrays.copyOfRange(b, from, to);
                return concat(java.util.Arrays.copyOf(b, to), chunk, chunk,
                        java.util.Arrays.copyOfRange(b, to, b.length));
            }
            case 4 -> {
                return randomBytes(random.nextInt(2048));
            }
            case 5 -> {
                for (int i = 0, n = 1 + random.nextInt(4); i < n && b.length > 0; i++) {
                    b[random.nextInt(b.length)] = (byte) (random.nextBoolean() ? 0 : 0xff);
                }
                return b;
            }
            default -> {
                return new byte[0];
            }
        }
    }

    private JsonNode mutateTree(JsonNode root, Map<String, String> raw) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) {
            return replacement(raw);
        }
        JsonNode parent = containers.get(random.nextInt(containers.size()));
        if (parent instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            if (names.isEmpty() || random.nextInt(8) == 0) {
                o.set(random.nextBoolean() ? "unexpected" : pick(NASTY_STRINGS), replacement(raw));
            } else if (random.nextInt(10) == 0) {
                o.remove(names.get(random.nextInt(names.size())));
            } else {
                o.set(names.get(random.nextInt(names.size())), replacement(raw));
            }
        } else if (parent instanceof ArrayNode a) {
            if (a.isEmpty() || random.nextInt(6) == 0) {
                a.add(replacement(raw));
            } else {
                a.set(random.nextInt(a.size()), replacement(raw));
            }
        }
        return root;
    }

    private static void collect(JsonNode n, List<JsonNode> into) {
        if (n.isContainerNode()) {
            into.add(n);
            n.forEach(c -> collect(c, into));
        }
    }

    private JsonNode replacement(Map<String, String> raw) {
        return switch (random.nextInt(9)) {
            case 0, 1 -> rawValue(raw, pick(ABSURD_NUMBERS));
            case 2, 3 -> NODES.textNode(pick(NASTY_STRINGS));
            case 4 -> rawValue(raw, nested(random.nextInt(4) == 0 ? 5000 : 10 + random.nextInt(1100)));
            case 5 -> random.nextBoolean() ? NODES.booleanNode(random.nextBoolean()) : NODES.nullNode();
            case 6 -> random.nextBoolean() ? NODES.arrayNode().add(1).add("x") : NODES.objectNode().put("a", 1);
            case 7 -> NODES.textNode("x".repeat(random.nextInt(5000)));
            default -> NODES.numberNode(random.nextLong());
        };
    }

    private JsonNode rawValue(Map<String, String> raw, String text) {
        String key = "__raw_" + raw.size() + "_" + Long.toHexString(random.nextLong()) + "__";
        raw.put(key, text);
        return NODES.textNode(key);
    }

    private String nested(int depth) {
        boolean arrays = random.nextBoolean();
        StringBuilder sb = new StringBuilder(depth * 8);
        for (int i = 0; i < depth; i++) {
            sb.append(arrays ? "[" : "{\"a\":");
        }
        sb.append("1");
        for (int i = 0; i < depth; i++) {
            sb.append(arrays ? "]" : "}");
        }
        return sb.toString();
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
