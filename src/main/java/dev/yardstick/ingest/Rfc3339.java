package dev.yardstick.ingest;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Parses RFC 3339 timestamps ({@code 2026-11-02T09:30:00.123Z}, {@code ...+01:00}). The common
 * shapes are read by hand, because {@link OffsetDateTime#parse} cost a sixth of the service's CPU
 * at ingest; anything unusual falls back to it.
 */
final class Rfc3339 {

    private Rfc3339() {
    }

    /** The instant, or a {@link DateTimeParseException} when the text is not RFC 3339 with an offset. */
    static Instant parse(String s) {
        int n = s.length();
        if (n >= 20 && s.charAt(4) == '-' && s.charAt(7) == '-' && (s.charAt(10) == 'T' || s.charAt(10) == 't')
                && s.charAt(13) == ':' && s.charAt(16) == ':') {
            try {
                int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
                int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
                int i = 19;
                int nanos = 0;
                if (i < n && s.charAt(i) == '.') {
                    int start = ++i;
                    while (i < n && Character.isDigit(s.charAt(i))) {
                        i++;
                    }
                    int len = i - start;
                    if (len == 0 || len > 9) {
                        throw new NumberFormatException();
                    }
                    nanos = digits(s, start, len);
                    for (int k = len; k < 9; k++) {
                        nanos *= 10;
                    }
                }
                ZoneOffset offset;
                if (i == n - 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
                    offset = ZoneOffset.UTC;
                } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
                    int h = digits(s, i + 1, 2), m = digits(s, i + 4, 2);
                    offset = ZoneOffset.ofHoursMinutes(s.charAt(i) == '-' ? -h : h, s.charAt(i) == '-' ? -m : m);
                } else {
                    return OffsetDateTime.parse(s).toInstant();
                }
                return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(offset);
            } catch (DateTimeException | NumberFormatException e) {
                throw new DateTimeParseException("not an RFC 3339 timestamp", s, 0);
            }
        }
        return OffsetDateTime.parse(s).toInstant();
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException();
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
