package dev.yardstick.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardstick.admin.Emails;
import dev.yardstick.ledger.Bounds;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/** Reads and checks the fields of one event object; each problem becomes a {@link Invalid}. */
final class EventFields {

    /** An event that cannot be accepted, with the reason in words. */
    static final class Invalid extends Exception {

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private final JsonNode node;

    EventFields(JsonNode node, Set<String> allowed) throws Invalid {
        if (node == null || !node.isObject()) {
            throw new Invalid("an event must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new Invalid("unknown field '" + name + "'");
            }
        }
        this.node = node;
    }

    /** The raw id, for the rejection list, whatever its validity. */
    static String idOf(JsonNode node) {
        JsonNode id = node == null ? null : node.get("id");
        return id != null && id.isTextual() ? id.asText() : null;
    }

    private JsonNode present(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    String string(String name, int max, boolean required) throws Invalid {
        JsonNode v = present(name);
        if (v == null) {
            if (required) {
                throw new Invalid(name + " is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new Invalid(name + " must be a string");
        }
        String s = v.asText();
        if (!Bounds.isStorable(s)) {
            throw new Invalid(name + " must not contain the NUL character (U+0000)");
        }
        if (s.isBlank()) {
            if (required) {
                throw new Invalid(name + " must not be blank");
            }
            return null;
        }
        if (s.length() > max) {
            throw new Invalid(name + " must be at most " + max + " characters");
        }
        return s;
    }

    String email(String name, boolean required) throws Invalid {
        String s = string(name, 320, required);
        if (s == null) {
            return null;
        }
        s = s.trim().toLowerCase(Locale.ROOT);
        if (!Emails.isValid(s)) {
            throw new Invalid(name + " must be an email address");
        }
        return s;
    }

    Instant time(Instant now, Instant oldest, int retentionDays) throws Invalid {
        String s = string("time", 64, true);
        Instant t;
        try {
            t = Rfc3339.parse(s);
        } catch (DateTimeParseException e) {
            throw new Invalid("time must be an RFC 3339 timestamp with an offset, such as 2026-11-02T09:30:00Z");
        }
        if (t.isAfter(now.plusSeconds(300))) {
            throw new Invalid("time is more than 5 minutes in the future");
        }
        if (t.isBefore(oldest)) {
            throw new Invalid("time is older than the " + retentionDays
                    + "-day raw-event retention, so it could not be deduplicated");
        }
        return t;
    }

    long count(String name, long fallback) throws Invalid {
        JsonNode v = present(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || negative(v)) {
            throw new Invalid(name + " must be a whole number of at least 0");
        }
        if (!v.canConvertToLong() || v.asLong() > Bounds.MAX_COUNT) {
            throw new Invalid(name + " must be at most " + Bounds.MAX_COUNT);
        }
        return v.asLong();
    }

    /** Whether a whole number is below 0 (read as a long when it fits one, without a BigInteger). */
    private static boolean negative(JsonNode v) {
        return v.canConvertToLong() ? v.longValue() < 0 : v.bigIntegerValue().signum() < 0;
    }

    /** A whole number in {@code 0..Integer.MAX_VALUE} (the ledger's column); beyond it a rejection, never capped. */
    int smallCount(String name, int fallback) throws Invalid {
        JsonNode v = present(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || negative(v)) {
            throw new Invalid(name + " must be a whole number of at least 0");
        }
        if (!v.canConvertToInt()) {
            throw new Invalid(name + " must be at most " + Integer.MAX_VALUE);
        }
        return v.intValue();
    }

    BigDecimal money(String name) throws Invalid {
        JsonNode v = present(name);
        if (v == null) {
            return null;
        }
        String atLeastZero = name + " must be a number of at least 0";
        if (!v.isNumber()) {
            throw new Invalid(atLeastZero);
        }
        BigDecimal d;
        if (v.isDouble() || v.isFloat()) {
            double x = v.doubleValue();
            if (Double.isNaN(x) || x < 0) {
                throw new Invalid(atLeastZero);
            }
            d = Bounds.cost(x);
        } else {
            if (v.decimalValue().signum() < 0) {
                throw new Invalid(atLeastZero);
            }
            d = Bounds.cost(v.decimalValue());
        }
        if (d == null) {
            throw new Invalid(name + " is implausibly large: it must be below "
                    + Bounds.MAX_COST_USD.toPlainString());
        }
        return d;
    }

    String oneOf(String name, Set<String> values) throws Invalid {
        String s = string(name, 64, true);
        if (!values.contains(s)) {
            throw new Invalid(name + " must be one of " + String.join(", ", new java.util.TreeSet<>(values)));
        }
        return s;
    }

    Boolean bool(String name) throws Invalid {
        JsonNode v = present(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new Invalid(name + " must be true or false");
        }
        return v.booleanValue();
    }
}
