package dev.yardstick.ledger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/** Reads team totals from the daily rollups; never from raw events, never per member. */
@ApplicationScoped
public class LedgerQueries {

    @Inject
    DataSource dataSource;

    /** The team's totals for the days {@code from..to}, both included. */
    public Summary summary(String team, LocalDate from, LocalDate to) {
        try (Connection c = dataSource.getConnection()) {
            long in = 0, out = 0, cr = 0, cw = 0, requests = 0, unpriced = 0;
            BigDecimal cost = BigDecimal.ZERO;
            Map<String, BigDecimal> byTool = new HashMap<>();
            Map<String, BigDecimal> modelCost = new HashMap<>();
            Map<String, Long> modelTokens = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select tool, model, sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),
                           sum(cache_write_tokens), sum(cost_usd), sum(requests), sum(unpriced_events)
                    from usage_team_daily_all where team_key = ? and day between ? and ?
                    group by tool, model
                    """)) {
                bind(ps, team, from, to);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long i = rs.getLong(3), o = rs.getLong(4), r = rs.getLong(5), w = rs.getLong(6);
                        BigDecimal c1 = rs.getBigDecimal(7);
                        in += i;
                        out += o;
                        cr += r;
                        cw += w;
                        cost = cost.add(c1);
                        requests += rs.getLong(8);
                        unpriced += rs.getLong(9);
                        byTool.merge(rs.getString(1), c1, BigDecimal::add);
                        modelCost.merge(rs.getString(2), c1, BigDecimal::add);
                        modelTokens.merge(rs.getString(2), i + o + r + w, Long::sum);
                    }
                }
            }
            Map<String, Long> outcomes = new TreeMap<>();
            Vocabulary.OUTCOME_KINDS.forEach(k -> outcomes.put(k, 0L));
            Map<String, long[]> notShipped = new HashMap<>();
            long outcomesTotal = 0;
            try (PreparedStatement ps = c.prepareStatement("""
                    select kind, sum(outcomes), sum(ai_assisted) from outcome_daily
                    where team_key = ? and day between ? and ? group by kind
                    """)) {
                bind(ps, team, from, to);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String kind = rs.getString(1);
                        if (Vocabulary.NOT_SHIPPED_KINDS.contains(kind)) {
                            notShipped.put(kind, new long[]{rs.getLong(2), rs.getLong(3)});
                        } else {
                            outcomes.put(kind, rs.getLong(2));
                            outcomesTotal += rs.getLong(2);
                            if ("pr_merged".equals(kind)) {
                                notShipped.put(kind, new long[]{rs.getLong(2), rs.getLong(3)});
                            }
                        }
                    }
                }
            }
            long active;
            try (PreparedStatement ps = c.prepareStatement("""
                    select count(distinct member_id) from team_member_day_all
                    where team_key = ? and day between ? and ?
                    """)) {
                bind(ps, team, from, to);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    active = rs.getLong(1);
                }
            }
            List<Summary.ToolCost> tools = new ArrayList<>();
            byTool.forEach((k, v) -> tools.add(new Summary.ToolCost(k, money(v))));
            tools.sort(
                    Comparator.comparing(Summary.ToolCost::costUsd).reversed().thenComparing(Summary.ToolCost::tool));
            List<Summary.ModelCost> models = new ArrayList<>();
            modelCost.forEach((k, v) -> models.add(new Summary.ModelCost(k, money(v), modelTokens.get(k))));
            models.sort(Comparator.comparing(Summary.ModelCost::costUsd).reversed()
                    .thenComparing(Summary.ModelCost::model));
            BigDecimal perOutcome = outcomesTotal == 0
                    ? null
                    : cost.divide(BigDecimal.valueOf(outcomesTotal), 4, RoundingMode.HALF_UP);
            return new Summary(team, from, to, money(cost), new Summary.Tokens(in, out, cr, cw), requests, outcomes,
                    outcomesTotal, perOutcome, tools, models, active, unpriced, survival(notShipped),
                    Summary.Deployments.of(outcomes.getOrDefault("deployment", 0L),
                            notShipped.getOrDefault("deployment_failed", new long[2])[0]));
        } catch (SQLException e) {
            throw new IllegalStateException("summary query failed", e);
        }
    }

    /** Pull request survival from the week's pull request kinds: {outcomes, of which AI-assisted} per kind. */
    private static Summary.PrSurvival survival(Map<String, long[]> kinds) {
        long[] merged = kinds.getOrDefault("pr_merged", new long[2]);
        long[] closed = kinds.getOrDefault("pr_closed", new long[2]);
        long[] reverted = kinds.getOrDefault("pr_reverted", new long[2]);
        return new Summary.PrSurvival(Summary.Prs.of(merged[1], closed[1], reverted[1]),
                Summary.Prs.of(merged[0] - merged[1], closed[0] - closed[1], reverted[0] - reverted[1]));
    }

    /**
     * One member's totals for the days {@code from..to}. For that member's own eyes only: callers
     * must deliver the result privately to the member.
     */
    public MemberTotals memberTotals(long memberId, LocalDate from, LocalDate to) {
        try (Connection c = dataSource.getConnection()) {
            BigDecimal cost = BigDecimal.ZERO;
            long tokens = 0;
            long requests = 0;
            List<Summary.ModelCost> models = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    select model, sum(cost_usd), sum(input_tokens + output_tokens + cache_read_tokens
                           + cache_write_tokens), sum(requests)
                    from usage_daily_all where member_id = ? and day between ? and ?
                    group by model order by 2 desc, 1
                    """)) {
                ps.setLong(1, memberId);
                ps.setDate(2, Date.valueOf(from));
                ps.setDate(3, Date.valueOf(to));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        cost = cost.add(rs.getBigDecimal(2));
                        tokens += rs.getLong(3);
                        requests += rs.getLong(4);
                        models.add(new Summary.ModelCost(rs.getString(1), money(rs.getBigDecimal(2)), rs.getLong(3)));
                    }
                }
            }
            long outcomes;
            try (PreparedStatement ps = c.prepareStatement(
                    "select coalesce(sum(outcomes), 0) from outcome_daily where member_id = ? and day between ? and ? and "
                            + Vocabulary.SHIPPED_ONLY)) {
                ps.setLong(1, memberId);
                ps.setDate(2, Date.valueOf(from));
                ps.setDate(3, Date.valueOf(to));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    outcomes = rs.getLong(1);
                }
            }
            return new MemberTotals(money(cost), tokens, requests, outcomes, models);
        } catch (SQLException e) {
            throw new IllegalStateException("member query failed", e);
        }
    }

    /** A team's spend and shipped items in one week (Monday to Sunday). */
    public record WeekTotals(LocalDate monday, BigDecimal costUsd, long outcomes) {
    }

    /**
     * The team's spend and shipped items per week for {@code weeks} weeks from {@code firstMonday},
     * oldest first; weeks without data are zero. One statement, whatever the number of weeks.
     */
    public List<WeekTotals> weeklyTotals(String team, LocalDate firstMonday, int weeks) {
        LocalDate last = firstMonday.plusWeeks(weeks).minusDays(1);
        BigDecimal[] cost = new BigDecimal[weeks];
        long[] outcomes = new long[weeks];
        java.util.Arrays.fill(cost, BigDecimal.ZERO);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select (day - ?::date) / 7, sum(cost), sum(outcomes) from (
                    select day, cost_usd as cost, 0::bigint as outcomes from usage_team_daily_all
                    where team_key = ? and day between ? and ?
                    union all
                    select day, 0, outcomes from outcome_daily where team_key = ? and day between ? and ?
                        and %s
                ) t group by 1
                """.formatted(Vocabulary.SHIPPED_ONLY))) {
            ps.setDate(1, Date.valueOf(firstMonday));
            for (int i = 0; i < 2; i++) {
                ps.setString(2 + 3 * i, team);
                ps.setDate(3 + 3 * i, Date.valueOf(firstMonday));
                ps.setDate(4 + 3 * i, Date.valueOf(last));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int w = rs.getInt(1);
                    cost[w] = rs.getBigDecimal(2);
                    outcomes[w] = rs.getLong(3);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("weekly totals query failed", e);
        }
        List<WeekTotals> out = new ArrayList<>();
        for (int w = 0; w < weeks; w++) {
            out.add(new WeekTotals(firstMonday.plusWeeks(w), money(cost[w]), outcomes[w]));
        }
        return out;
    }

    /** How many of the team's shipped items in {@code from..to} were marked AI-assisted. */
    public long aiAssisted(String team, LocalDate from, LocalDate to) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select coalesce(sum(ai_assisted), 0) from outcome_daily where team_key = ? and day between ? and ? "
                                + "and " + Vocabulary.SHIPPED_ONLY)) {
            bind(ps, team, from, to);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("ai-assisted query failed", e);
        }
    }

    /**
     * One team's spend, shipped items and active members over a range of its days.
     *
     * @param team the team key ({@code unassigned} included)
     */
    public record TeamTotals(String team, BigDecimal costUsd, long outcomesTotal, long activeMembers) {
    }

    /** Totals of the organisation over a range of days: each team's that had any figure, and the whole's. */
    public record OrgTotals(List<TeamTotals> teams, BigDecimal costUsd, long outcomesTotal, long activeMembers) {
    }

    /**
     * Every team's totals for the days {@code from..to} (each team's own days), from the per-team rollups in three
     * grouped scans; {@code activeMembers} of the whole counts each person once, whatever teams they were in.
     */
    public OrgTotals orgTotals(LocalDate from, LocalDate to) {
        Map<String, BigDecimal> cost = new TreeMap<>();
        Map<String, Long> outcomes = new TreeMap<>();
        Map<String, Long> active = new TreeMap<>();
        long activeOrg;
        try (Connection c = dataSource.getConnection()) {
            perTeam(c,
                    "select team_key, sum(cost_usd) from usage_team_daily_all where day between ? and ? group by team_key",
                    from, to, rs -> cost.put(rs.getString(1), rs.getBigDecimal(2)));
            perTeam(c, "select team_key, sum(outcomes) from outcome_daily where day between ? and ? and "
                    + Vocabulary.SHIPPED_ONLY + " group by team_key",
                    from, to, rs -> outcomes.put(rs.getString(1), rs.getLong(2)));
            long[] whole = new long[1];
            perTeam(c, """
                    select team_key, count(distinct member_id) from team_member_day_all where day between ? and ?
                    group by rollup (team_key)
                    """, from, to, rs -> {
                if (rs.getString(1) == null) {
                    whole[0] = rs.getLong(2);
                } else {
                    active.put(rs.getString(1), rs.getLong(2));
                }
            });
            activeOrg = whole[0];
        } catch (SQLException e) {
            throw new IllegalStateException("organisation query failed", e);
        }
        java.util.SortedSet<String> teams = new java.util.TreeSet<>(cost.keySet());
        teams.addAll(outcomes.keySet());
        teams.addAll(active.keySet());
        List<TeamTotals> out = new ArrayList<>();
        BigDecimal totalCost = BigDecimal.ZERO;
        long totalOutcomes = 0;
        for (String t : teams) {
            BigDecimal c = cost.getOrDefault(t, BigDecimal.ZERO);
            long o = outcomes.getOrDefault(t, 0L);
            out.add(new TeamTotals(t, money(c), o, active.getOrDefault(t, 0L)));
            totalCost = totalCost.add(c);
            totalOutcomes += o;
        }
        return new OrgTotals(out, money(totalCost), totalOutcomes, activeOrg);
    }

    /** A row of a grouped query, read. */
    @FunctionalInterface
    private interface RowReader {

        void read(ResultSet rs) throws SQLException;
    }

    private static void perTeam(Connection c, String sql, LocalDate from, LocalDate to, RowReader row)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            range(ps, from, to);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        }
    }

    private static void range(PreparedStatement ps, LocalDate from, LocalDate to) throws SQLException {
        ps.setDate(1, Date.valueOf(from));
        ps.setDate(2, Date.valueOf(to));
    }

    private static void bind(PreparedStatement ps, String team, LocalDate from, LocalDate to) throws SQLException {
        ps.setString(1, team);
        ps.setDate(2, Date.valueOf(from));
        ps.setDate(3, Date.valueOf(to));
    }

    private static BigDecimal money(BigDecimal v) {
        return v.setScale(6, RoundingMode.HALF_UP);
    }
}
