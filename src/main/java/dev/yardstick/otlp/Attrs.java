package dev.yardstick.otlp;

import dev.yardstick.admin.Emails;
import dev.yardstick.ledger.Bounds;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
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
            case DOUBLE_VALUE -> Double.isFinite(v.getDoubleValue())
                    ? BigDecimal.valueOf(v.getDoubleValue()).stripTrailingZeros().toPlainString()
                    : Double.toString(v.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            default -> null;
        };
        return s == null || s.isEmpty() ? null : s;
    }

    /** A value beyond what the ledger accepts; the record or data point carrying it is rejected. */
    static final class Invalid extends Exception {

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A non-negative count, 0 when absent, negative or not a number.
     *
     * @throws Invalid when it is above {@link Bounds#MAX_COUNT} (or a number too long to read)
     */
    static long count(String name, AnyValue v) throws Invalid {
        if (v == null) {
            return 0;
        }
        long n = switch (v.getValueCase()) {
            case INT_VALUE -> Math.max(0, v.getIntValue());
            case DOUBLE_VALUE -> count(name, v.getDoubleValue());
            case STRING_VALUE -> parseCount(name, v.getStringValue());
            default -> 0;
        };
        if (n > Bounds.MAX_COUNT) {
            throw tooLarge(name);
        }
        return n;
    }

    private static long count(String name, double d) throws Invalid {
        if (Double.isNaN(d) || d <= 0) {
            return 0;
        }
        if (d > Bounds.MAX_COUNT) {
            throw tooLarge(name);
        }
        return Math.round(d);
    }

    private static long parseCount(String name, String s) throws Invalid {
        BigDecimal d = number(name, s);
        if (d == null || d.signum() <= 0) {
            return 0;
        }
        long digits = (long) d.precision() - d.scale(); // before the decimal point
        if (digits > 13) {
            throw tooLarge(name);
        }
        return digits < 0 ? 0 : d.setScale(0, RoundingMode.HALF_UP).longValue();
    }

    /**
     * An amount of US dollars, or {@code null} when absent, negative or not a number.
     *
     * @throws Invalid when it is not below {@link Bounds#MAX_COST_USD} (or a number too long to read)
     */
    static BigDecimal money(String name, AnyValue v) throws Invalid {
        if (v == null) {
            return null;
        }
        BigDecimal d = switch (v.getValueCase()) {
            case INT_VALUE -> BigDecimal.valueOf(v.getIntValue());
            case DOUBLE_VALUE -> Double.isNaN(v.getDoubleValue())
                    ? null
                    : Double.isInfinite(v.getDoubleValue()) && v.getDoubleValue() > 0
                            ? Bounds.MAX_COST_USD
                            : v.getDoubleValue() < 0 ? null : BigDecimal.valueOf(v.getDoubleValue());
            case STRING_VALUE -> number(name, v.getStringValue());
            default -> null;
        };
        if (d == null || d.signum() < 0) {
            return null;
        }
        BigDecimal cost = Bounds.cost(d);
        if (cost == null) {
            throw new Invalid(name + " must be below " + Bounds.MAX_COST_USD.toPlainString());
        }
        return cost;
    }

    /** A decimal from text; {@code null} when it is not a number; {@link Invalid} when too long to be one. */
    private static BigDecimal number(String name, String s) throws Invalid {
        BigDecimal d = Bounds.decimal(s);
        if (d == null && s.strip().length() > Bounds.MAX_NUMBER_CHARS && s.strip().chars().allMatch(
                c -> c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
            throw new Invalid(name + " is a number longer than " + Bounds.MAX_NUMBER_CHARS + " characters");
        }
        return d;
    }

    private static Invalid tooLarge(String name) {
        return new Invalid(name + " must be at most " + Bounds.MAX_COUNT);
    }

    /**
     * The text of a string attribute that is stored, or {@code null} when absent.
     *
     * @throws Invalid when it contains NUL, which PostgreSQL cannot store
     */
    static String storable(String name, String s) throws Invalid {
        if (!Bounds.isStorable(s)) {
            throw new Invalid(name + " contains the NUL character (U+0000)");
        }
        return s;
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
