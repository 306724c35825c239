package dev.yardstick.budget;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

/** Budget weeks are ISO weeks (Monday to Sunday) in the team's timezone. */
public final class Weeks {

    private Weeks() {
    }

    /** The Monday of the week that contains {@code now} in {@code zone}. */
    public static LocalDate start(Instant now, ZoneId zone) {
        return LocalDate.ofInstant(now, zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }
}
