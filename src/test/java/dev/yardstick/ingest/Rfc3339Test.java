package dev.yardstick.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class Rfc3339Test {

    @Test
    void agreesWithTheJdkOnValidTimestamps() {
        for (String s : List.of("2026-11-02T09:30:00Z", "2026-11-02T09:30:00.1Z", "2026-11-02T09:30:00.123456789Z",
                "2026-11-02T09:30:00.5+05:30", "2026-11-02T09:30:00-08:00", "2026-12-31T23:59:59.999-00:30",
                "2024-02-29T00:00:00+14:00", "2026-03-29T01:59:59.000001+01:00")) {
            assertEquals(OffsetDateTime.parse(s).toInstant(), Rfc3339.parse(s), s);
        }
        assertEquals(OffsetDateTime.parse("2026-11-02T09:30:00Z").toInstant(), Rfc3339.parse("2026-11-02t09:30:00z"));
    }

    @Test
    void rejectsWhatIsNotRfc3339WithAnOffset() {
        for (String s : List.of("2026-11-02T09:30:00", "2026-13-02T09:30:00Z", "2026-02-30T09:30:00Z",
                "2026-11-02T24:30:00Z", "2026-11-02T09:3a:00Z", "2026-11-02 09:30", "yesterday", "",
                "2026-11-02T09:30:00.Z", "2026-11-02T09:30:00+25:00", "2026-11-02T09:30:00.1234567891Z")) {
            assertThrows(DateTimeParseException.class, () -> Rfc3339.parse(s), s);
        }
    }
}
