package dev.yardstick.ledger;

import dev.yardstick.admin.Team;
import dev.yardstick.common.AdminOrReader;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** {@code GET /api/v1/teams/{key}/summary?from=YYYY-MM-DD&to=YYYY-MM-DD} (admin or reader token). */
@Path("/api/v1/teams/{key}/summary")
@AdminOrReader
@SecurityRequirement(name = ApiSecurity.ADMIN)
@SecurityRequirement(name = ApiSecurity.READER)
@Produces(MediaType.APPLICATION_JSON)
public class SummaryResource {

    private static final long MAX_DAYS = 3660;

    @Inject
    LedgerQueries queries;

    @GET
    public Summary summary(@PathParam("key") String key, @QueryParam("from") String from, @QueryParam("to") String to) {
        if (!Team.UNASSIGNED.equals(key) && Team.findById(key) == null) {
            throw Problem.notFound("No team with key '" + key + "'.");
        }
        LocalDate[] range = range(from, to);
        return queries.summary(key, range[0], range[1]);
    }

    /** A day range as the summaries take it: both dates given, in order, at most {@value #MAX_DAYS} days. */
    public static LocalDate[] range(String from, String to) {
        LocalDate start = date("from", from);
        LocalDate end = date("to", to);
        if (end.isBefore(start)) {
            throw Problem.badRequest("'to' must not be before 'from'.");
        }
        if (ChronoUnit.DAYS.between(start, end) >= MAX_DAYS) {
            throw Problem.badRequest("The range may span at most " + MAX_DAYS + " days.");
        }
        return new LocalDate[]{start, end};
    }

    private static LocalDate date(String name, String value) {
        if (value == null || value.isBlank()) {
            throw Problem.badRequest("Query parameter '" + name + "' is required, as YYYY-MM-DD.");
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw Problem.badRequest("Query parameter '" + name + "' must be a date as YYYY-MM-DD.");
        }
    }
}
