package dev.yardstick.otlp;

import dev.yardstick.admin.Emails;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads OTLP attribute values, which senders encode loosely: a count may arrive as an int, a
 * double or a string, depending on the tool and on the JSON or protobuf encoding.
 */
final class Attrs {

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private Attrs() {
    }

    static Map<String, AnyValue> map(List<KeyValue> kvs) {
        Map<String, AnyValue> m = new HashMap<>(kvs.size() * 2);
        for (KeyValue kv : kvs) {
            m.put(kv.getKey(), kv.getValue());
        }
        return m;
    }

    /** The value as text, or {@code null} when absent, empty or not a scalar. */
    static String str(AnyValue v) {
        if (v == null) {
            return null;
        }
        String s = switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> BigDecimal.valueOf(v.getDoubleValue()).stripTrailingZeros().toPlainString();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            default -> null;
        };
        return s == null || s.isEmpty() ? null : s;
    }

    /** A non-negative count, 0 when absent or not a number. */
    static long count(AnyValue v) {
        if (v == null) {
            return 0;
        }
        return switch (v.getValueCase()) {
            case INT_VALUE -> Math.max(0, v.getIntValue());
            case DOUBLE_VALUE -> Double.isFinite(v.getDoubleValue()) ? Math.max(0, Math.round(v.getDoubleValue())) : 0;
            case STRING_VALUE -> parseCount(v.getStringValue());
            default -> 0;
        };
    }

    private static long parseCount(String s) {
        try {
            return Math.max(0, Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            try {
                double d = Double.parseDouble(s.trim());
                return Double.isFinite(d) ? Math.max(0, Math.round(d)) : 0;
            } catch (NumberFormatException e2) {
                return 0;
            }
        }
    }

    /** An amount of US dollars, or {@code null} when absent, negative or not a number. */
    static BigDecimal money(AnyValue v) {
        if (v == null) {
            return null;
        }
        try {
            BigDecimal d = switch (v.getValueCase()) {
                case INT_VALUE -> BigDecimal.valueOf(v.getIntValue());
                case DOUBLE_VALUE ->
                    Double.isFinite(v.getDoubleValue()) ? BigDecimal.valueOf(v.getDoubleValue()) : null;
                case STRING_VALUE -> new BigDecimal(v.getStringValue().trim());
                default -> null;
            };
            return d == null || d.signum() < 0 ? null : d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A lower-case email address from the attribute, or {@code null}. */
    static String email(AnyValue v) {
        String s = str(v);
        if (s == null || s.length() > 320) {
            return null;
        }
        s = s.trim().toLowerCase(Locale.ROOT);
        return Emails.isValid(s) ? s : null;
    }

    /** 22 characters of base64url SHA-256 of the parts, separated by NUL. */
    static String hash(String... parts) {
        MessageDigest md = SHA256.get();
        md.reset();
        for (String p : parts) {
            if (p != null) {
                md.update(p.getBytes(StandardCharsets.UTF_8));
            }
            md.update((byte) 0);
        }
        byte[] d = md.digest();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 16));
    }

    /** 32 hex characters of SHA-256 of the text. */
    static String hexHash(String s) {
        MessageDigest md = SHA256.get();
        md.reset();
        return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }
}
