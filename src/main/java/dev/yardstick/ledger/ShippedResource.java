package dev.yardstick.ledger;

import dev.yardstick.admin.Team;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;

/**
 * {@code GET /api/v1/teams/{key}/shipped?week=2026-W49} (admin token): the week's pull requests and resolved tickets
 * with their AI cost, never an author or a title. The week is an ISO week, as the digest names weeks, its days in the
 * team's timezone; raw events are kept {@code YARDSTICK_RAW_RETENTION_DAYS}, so older weeks come back empty.
 */
@Path("/api/v1/teams/{key}/shipped")
@AdminOnly
@Produces(MediaType.APPLICATION_JSON)
public class ShippedResource {

    @Inject
    ShippedQueries queries;

    @GET
    public Shipped shipped(@PathParam("key") String key, @QueryParam("week") String week) {
        Team team = Team.findById(key);
        if (team == null || team.deletedAt != null) {
            throw Problem.notFound("No team with key '" + key + "'.");
        }
        LocalDate monday = monday(week);
        return queries.shipped(key, week, monday, team.zone());
    }

    /** The Monday of an ISO week written {@code 2026-W49}. */
    static LocalDate monday(String week) {
        if (week == null || !week.matches("\\d{4}-W\\d{2}")) {
            throw Problem.badRequest("Query parameter 'week' is required, as an ISO week such as 2026-W49.");
        }
        int year = Integer.parseInt(week.substring(0, 4));
        int n = Integer.parseInt(week.substring(6));
        LocalDate jan4 = LocalDate.of(year, 1, 4);
        if (n < 1 || n > jan4.range(IsoFields.WEEK_OF_WEEK_BASED_YEAR).getMaximum()
                || n > LocalDate.of(year, 12, 28).get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)) {
            throw Problem.badRequest("There is no week " + week + ".");
        }
        return jan4.with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, n).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }
}
