package dev.yardstick.pull;

import dev.yardstick.ledger.AiActivity;
import dev.yardstick.ledger.LedgerWriter;
import dev.yardstick.ledger.LedgerWriter.Indexed;
import dev.yardstick.ledger.Plausibility;
import dev.yardstick.ledger.UsageRecord;
import dev.yardstick.ledger.WriteResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The registry of vendor usage pullers and their state in {@code connector_state} (cursor, last run,
 * last success, last error), the one place of the push/pull rule, and the writer of a pulled day.
 *
 * <p><b>Push wins, per member, tool and UTC day.</b> When a day is pulled, the pulled usage (and AI
 * activity) of a member and tool is dropped if the ledger already holds usage of that member, tool
 * and UTC day that did not come from a puller (OTLP, ingest API). Pushed data is per request and
 * timely; pulled data is a daily total that would count the same tokens twice.
 */
@ApplicationScoped
public class Connectors {

    /** Prefix of the ids of pulled usage events. */
    public static final String ID_PREFIX = "pull:";

    /** One source, as {@code GET /api/v1/connectors} shows it. */
    public record State(String name, boolean enabled, Instant lastRunAt, String cursor, String lastError,
            Instant lastSuccessAt) {
    }

    /** AI activity of one member on one day: pull requests and commits made with the tool. */
    public record Activity(String user, long pullRequests, long commits) {
    }

    @Inject
    DataSource dataSource;
    @Inject
    Instance<Puller> pullers;
    @Inject
    LedgerWriter ledger;
    @Inject
    AiActivity aiActivity;
    @Inject
    Plausibility plausibility;
    @Inject
    ConnectorsConfig config;

    /** Every source, enabled or not, by name. */
    public List<State> states() {
        Map<String, State> stored = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select name, last_run_at, cursor, last_error, last_success_at from connector_state");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                stored.put(rs.getString(1), new State(rs.getString(1), false, instant(rs.getTimestamp(2)),
                        rs.getString(3), rs.getString(4), instant(rs.getTimestamp(5))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("connector_state query failed", e);
        }
        List<State> out = new ArrayList<>();
        for (Puller p : pullers) {
            State s = stored.get(p.name());
            out.add(s == null
                    ? new State(p.name(), p.configured(), null, null, null, null)
                    : new State(p.name(), p.configured(), s.lastRunAt(), s.cursor(), s.lastError(), s.lastSuccessAt()));
        }
        out.sort(Comparator.comparing(State::name));
        return out;
    }

    /** The source's cursor, if it has one. */
    public Optional<String> cursor(String name) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select cursor from connector_state where name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("connector_state query failed", e);
        }
    }

    void started(String name) {
        update("""
                insert into connector_state (name, last_run_at) values (?, now())
                on conflict (name) do update set last_run_at = now()
                """, name);
    }

    /** Moves the source's cursor on, once everything before it is stored. */
    public void advance(String name, String cursor) {
        update("update connector_state set cursor = ? where name = ?", cursor, name);
    }

    void succeeded(String name) {
        update("update connector_state set last_success_at = now(), last_error = null where name = ?", name);
    }

    void failed(String name, String error) {
        update("update connector_state set last_error = ? where name = ?",
                error.substring(0, Math.min(error.length(), 1000)), name);
    }

    /**
     * Stores one pulled UTC day of a tool: the usage events (ids starting {@value #ID_PREFIX}) and
     * the AI activity, in one transaction, after the push/pull rule. A day pulled again changes
     * nothing: usage ids are derived from the vendor's records and activity counts are replaced.
     * Returns what the ledger stored.
     */
    public WriteResult storeDay(String tool, LocalDate day, List<UsageRecord> usage, List<Activity> activity) {
        return storeDay(tool, day, usage, activity, false);
    }

    /**
     * Stores one pulled UTC day, as {@link #storeDay(String, LocalDate, List, List)}; with
     * {@code exactTime} the events are booked at their real time (per-call events) and count for
     * runaway alerts, and are judged by the plausibility limits as pushed usage is (an implausible one stops the
     * run with the reason); otherwise they are daily totals booked at noon, left out of runaway detection and of
     * the plausibility limits (a day of a whole organisation key can legitimately be large).
     */
    public WriteResult storeDay(String tool, LocalDate day, List<UsageRecord> usage, List<Activity> activity,
            boolean exactTime) {
        List<Indexed<UsageRecord>> events = new ArrayList<>();
        for (UsageRecord u : usage) {
            // per-call events are judged as pushed ones are; a day's total of a whole key legitimately is not
            String implausible = exactTime ? plausibility.violation(u) : null;
            if (implausible != null) {
                throw new IllegalStateException(tool + " usage of " + day + " was refused: " + implausible);
            }
            events.add(new Indexed<>(events.size(), u));
        }
        WriteResult result = ledger.writeUsage(events, (c, all) -> {
            Set<String> users = new HashSet<>();
            all.forEach(e -> users.add(e.event().user()));
            activity.forEach(a -> users.add(a.user()));
            Set<String> pushed = ledger.usersWithOtherUsage(c, tool, day, users, ID_PREFIX);
            saveActivity(c, tool, day, activity.stream().filter(a -> !pushed.contains(a.user())).toList());
            return all.stream().filter(e -> !pushed.contains(e.event().user())).toList();
        }, exactTime);
        if (!result.rejected().isEmpty()) {
            throw new IllegalStateException(tool + " usage of " + day + " was refused: "
                    + result.rejected().get(0).error());
        }
        return result;
    }

    /** Sets the pulled pull-request and commit counts of a day (source {@code pull}), replacing earlier pulls. */
    private void saveActivity(Connection c, String tool, LocalDate day, List<Activity> activity) throws SQLException {
        Map<String, long[]> sums = new TreeMap<>();
        for (Activity a : activity) {
            long[] s = sums.computeIfAbsent(a.user(), x -> new long[2]);
            s[0] += a.pullRequests();
            s[1] += a.commits();
        }
        sums.values().removeIf(s -> s[0] == 0 && s[1] == 0);
        List<AiActivity.Count> counts = new ArrayList<>();
        for (var e : sums.entrySet()) {
            counts.add(new AiActivity.Count(e.getKey(), tool, day, "pull_request", e.getValue()[0]));
            counts.add(new AiActivity.Count(e.getKey(), tool, day, "commit", e.getValue()[1]));
        }
        aiActivity.replacePulled(c, counts);
    }

    /** Members by GitHub login (lower-cased): login to email, for the logins given that a member has. */
    public Map<String, String> emailsByGithubLogin(Set<String> logins) {
        Map<String, String> out = new HashMap<>();
        if (logins.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        select lower(github_login), email from member
                        where lower(github_login) = any(?) order by id desc
                        """)) {
            ps.setArray(1, c.createArrayOf("text",
                    logins.stream().map(l -> l.toLowerCase(Locale.ROOT)).toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("member query failed", e);
        }
        return out;
    }

    /** The team of usage made with an API key, from {@code YARDSTICK_CONNECTORS_API_KEY_TEAMS}, or null. */
    public String teamOfKey(String key) {
        if (key == null || config.apiKeyTeams().isEmpty()) {
            return null;
        }
        for (String pair : config.apiKeyTeams().get().split(",")) {
            int eq = pair.lastIndexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals(key.trim())) {
                String team = pair.substring(eq + 1).trim();
                return team.isEmpty() ? null : team;
            }
        }
        return null;
    }

    /**
     * The ledger member standing for usage made with an API key rather than by a person: a
     * placeholder address under the reserved {@code .invalid} domain, e.g.
     * {@code api-key.ci-bot@yardstick.invalid}.
     */
    public static String keyMember(String key) {
        String slug = key.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        if (slug.isEmpty()) {
            slug = "unnamed";
        }
        return "api-key." + (slug.length() > 100 ? slug.substring(0, 100) : slug) + "@yardstick.invalid";
    }

    private void update(String sql, String... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("connector_state update failed", e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
