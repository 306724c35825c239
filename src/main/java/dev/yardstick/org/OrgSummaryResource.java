package dev.yardstick.org;

import dev.yardstick.admin.Team;
import dev.yardstick.common.AdminOrReader;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.ledger.LedgerQueries;
import dev.yardstick.ledger.SummaryResource;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * {@code GET /api/v1/org/summary?from=YYYY-MM-DD&to=YYYY-MM-DD} (admin or reader token): every team's totals and the
 * organisation's, for finance and admins. Teams only, never people; {@code Accept: text/csv} gives the same as CSV.
 */
@Path("/api/v1/org/summary")
@AdminOrReader
@SecurityRequirement(name = ApiSecurity.ADMIN)
@SecurityRequirement(name = ApiSecurity.READER)
public class OrgSummaryResource {

    /**
     * One team's figures over the range.
     *
     * @param budgetUsd the team's weekly budget as set today, times the range's days divided by 7 (null without a
     *                  budget)
     */
    public record TeamLine(String team, String name, BigDecimal costUsd, BigDecimal budgetUsd, long outcomesTotal,
            BigDecimal costPerOutcomeUsd, long activeMembers) {
    }

    /**
     * The organisation's figures: the teams' sums; {@code activeMembers} counts each person once.
     *
     * @param budgetUsd the sum of the teams' budgets over the range (null when no team has one)
     */
    public record Total(BigDecimal costUsd, BigDecimal budgetUsd, long outcomesTotal, BigDecimal costPerOutcomeUsd,
            long activeMembers) {
    }

    /** The answer. */
    public record OrgSummary(LocalDate from, LocalDate to, List<TeamLine> teams, Total total) {
    }

    @Inject
    LedgerQueries queries;

    /** JSON, or CSV when the client asks for {@code text/csv} (JSON is the answer to {@code *}{@code /*}). */
    @GET
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    public Response get(@QueryParam("from") String from, @QueryParam("to") String to, @Context HttpHeaders headers) {
        LocalDate[] range = SummaryResource.range(from, to);
        boolean csv = headers.getAcceptableMediaTypes().stream().findFirst()
                .map(m -> "text".equals(m.getType()) && "csv".equals(m.getSubtype())).orElse(false);
        return csv
                ? Response.ok(csv(range), "text/csv;charset=UTF-8").build()
                : Response.ok(summary(range[0], range[1]), MediaType.APPLICATION_JSON).build();
    }

    private String csv(LocalDate[] range) {
        OrgSummary s = summary(range[0], range[1]);
        StringBuilder out = new StringBuilder(
                "team,name,costUsd,budgetUsd,outcomesTotal,costPerOutcomeUsd,activeMembers\r\n");
        for (TeamLine t : s.teams()) {
            row(out, t.team(), t.name(), t.costUsd(), t.budgetUsd(), t.outcomesTotal(), t.costPerOutcomeUsd(),
                    t.activeMembers());
        }
        Total t = s.total();
        row(out, "total", "Organisation", t.costUsd(), t.budgetUsd(), t.outcomesTotal(), t.costPerOutcomeUsd(),
                t.activeMembers());
        return out.toString();
    }

    OrgSummary summary(LocalDate from, LocalDate to) {
        LedgerQueries.OrgTotals totals = queries.orgTotals(from, to);
        Map<String, LedgerQueries.TeamTotals> byTeam = new HashMap<>();
        totals.teams().forEach(t -> byTeam.put(t.team(), t));
        BigDecimal days = BigDecimal.valueOf(ChronoUnit.DAYS.between(from, to) + 1);
        List<TeamLine> lines = new ArrayList<>();
        BigDecimal budgets = null;
        List<Team> teams = Team.listAll(io.quarkus.panache.common.Sort.by("key"));
        for (Team team : teams) {
            LedgerQueries.TeamTotals t = byTeam.remove(team.key);
            BigDecimal budget = team.weeklyBudgetUsd == null
                    ? null
                    : team.weeklyBudgetUsd.multiply(days).divide(BigDecimal.valueOf(7), 2, RoundingMode.HALF_UP);
            budgets = budget == null ? budgets : budgets == null ? budget : budgets.add(budget);
            lines.add(line(team.key, team.name, t, budget));
        }
        // usage without a team, and teams removed since, still count in the organisation's total
        byTeam.values().stream().sorted(java.util.Comparator.comparing(LedgerQueries.TeamTotals::team))
                .forEach(t -> lines.add(line(t.team(), Team.UNASSIGNED.equals(t.team()) ? "No team" : t.team(), t,
                        null)));
        return new OrgSummary(from, to, lines, new Total(totals.costUsd(), budgets, totals.outcomesTotal(),
                perOutcome(totals.costUsd(), totals.outcomesTotal()), totals.activeMembers()));
    }

    private static TeamLine line(String key, String name, LedgerQueries.TeamTotals t, BigDecimal budget) {
        BigDecimal cost = t == null ? BigDecimal.ZERO.setScale(6) : t.costUsd();
        long outcomes = t == null ? 0 : t.outcomesTotal();
        return new TeamLine(key, name, cost, budget, outcomes, perOutcome(cost, outcomes),
                t == null ? 0 : t.activeMembers());
    }

    private static BigDecimal perOutcome(BigDecimal cost, long outcomes) {
        return outcomes == 0 ? null : cost.divide(BigDecimal.valueOf(outcomes), 4, RoundingMode.HALF_UP);
    }

    private static void row(StringBuilder out, Object... values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(cell(values[i]));
        }
        out.append("\r\n");
    }

    /**
     * A CSV cell as RFC 4180 quotes it; text a spreadsheet would run as a formula (starting with {@code = + - @})
     * is prefixed with an apostrophe, as OWASP advises for CSV exports.
     */
    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        String s = value.toString();
        if (!(value instanceof Number) && !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            s = '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
