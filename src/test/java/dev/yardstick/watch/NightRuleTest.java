package dev.yardstick.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The night rule of the runaway detector (docs/alerts.md), on instants alone. */
class NightRuleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void theNightRunsFrom22To7LocalTime() {
        ZonedDateTime evening = ZonedDateTime.of(2026, 12, 3, 23, 15, 0, 0, BERLIN);
        assertEquals(evening.withHour(22).withMinute(0), RunawayDetector.nightStart(evening.toInstant(), BERLIN));
        ZonedDateTime early = ZonedDateTime.of(2026, 12, 4, 6, 59, 0, 0, BERLIN);
        assertEquals(ZonedDateTime.of(2026, 12, 3, 22, 0, 0, 0, BERLIN),
                RunawayDetector.nightStart(early.toInstant(), BERLIN));
        assertNull(RunawayDetector.nightStart(early.plusMinutes(1).toInstant(), BERLIN), "07:00 is day");
        assertNull(RunawayDetector.nightStart(evening.withHour(21).withMinute(59).toInstant(), BERLIN));
        assertNull(RunawayDetector.nightStart(evening.withHour(22).toInstant(), ZoneId.of("UTC")),
                "22:00 in Berlin is 21:00 UTC: the team's own timezone decides");
    }

    @Test
    void aRunAllowsPausesUpToThirtyMinutes() {
        Instant end = Instant.parse("2026-12-04T01:00:00Z");
        List<Instant> minutes = new ArrayList<>();
        for (int m = 0; m <= 150; m += 10) {
            minutes.add(end.minus(Duration.ofMinutes(m)));
        }
        assertEquals(Duration.ofMinutes(150), RunawayDetector.nightRun(minutes));
        minutes.add(end.minus(Duration.ofMinutes(150 + 31)));
        assertEquals(Duration.ofMinutes(150), RunawayDetector.nightRun(minutes), "a 31-minute pause ends the run");
        minutes.add(end.minus(Duration.ofMinutes(150 + 31 + 30)));
        assertEquals(Duration.ofMinutes(150), RunawayDetector.nightRun(minutes), "only the run ending now counts");
    }

    @Test
    void aGapJustOverThePauseSplitsTheRun() {
        Instant end = Instant.parse("2026-12-04T03:00:00Z");
        List<Instant> minutes = List.of(end, end.minus(Duration.ofMinutes(30)), end.minus(Duration.ofMinutes(61)));
        assertEquals(Duration.ofMinutes(30), RunawayDetector.nightRun(minutes));
        assertEquals(Duration.ZERO, RunawayDetector.nightRun(List.of()));
        assertEquals(Duration.ZERO, RunawayDetector.nightRun(List.of(end)));
    }
}
