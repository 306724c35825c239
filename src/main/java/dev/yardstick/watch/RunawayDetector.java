package dev.yardstick.watch;

import dev.yardstick.admin.Team;
import dev.yardstick.ledger.LiveUsage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Finds runaway sessions among the shared ones, in the per-minute figures of the last 24 hours that
 * every replica wrote of them ({@code usage_session_minute}, see {@link Watcher}).
 *
 * <p>A session is flagged when, in any trailing 15 minutes (15 one-minute buckets) that got new usage,
 * its cost reaches the team's {@code runawayCostUsd} or its request count reaches
 * {@code runawayRequests} (the ceilings, alerting whatever the pattern). Loop signatures below the ceilings are
 * found in each replica's memory ({@link LoopSignals}). A flagged
 * session whose total over the live window reaches four times a threshold is escalated to managers.
 */
@ApplicationScoped
public class RunawayDetector {

    /** How long a session must keep spending at night to be flagged. */
    public static final Duration NIGHT_RUN = Duration.ofHours(2);
    /** The longest pause that still counts as "keeps spending". */
    public static final Duration NIGHT_GAP = Duration.ofMinutes(30);
    static final LocalTime NIGHT_STARTS = LocalTime.of(22, 0);
    static final LocalTime NIGHT_ENDS = LocalTime.of(7, 0);
    /** Escalation to managers at this many times a threshold. */
    static final int ESCALATE_AT = 4;
    private static final int CHUNK = 500;

    /** A team's runaway thresholds and timezone. */
    record Thresholds(BigDecimal costUsd, long requests, ZoneId zone) {

        static final Thresholds DEFAULT = new Thresholds(new BigDecimal("100"), 1000, ZoneOffset.UTC);
    }

    /**
     * What the detector read of one session.
     *
     * @param peakCostUsd   the largest 15-minute cost among the windows that got new usage
     * @param peakRequests  the same for requests
     * @param totalCostUsd  the session's cost over the live window
     * @param totalRequests the same for requests
     */
    record Reading(long memberId, String sessionKey, String teamKey, BigDecimal peakCostUsd, long peakRequests,
            BigDecimal totalCostUsd, long totalRequests, Instant first, Instant last) {

        int minutes() {
            return (int) Duration.between(first, last).toMinutes() + 1;
        }
    }

    @Inject
    DataSource dataSource;
    @Inject
    RunawayAlerts alerts;

    /**
     * Checks these sessions (only the 15-minute windows from each session's {@code from} on count);
     * {@code refresh}: bring flagged sessions' alert figures up to date now.
     */
    public void check(Collection<LiveUsage.Session> sessions, boolean refresh) {
        List<LiveUsage.Session> all = new ArrayList<>(sessions);
        for (int i = 0; i < all.size(); i += CHUNK) {
            checkChunk(all.subList(i, Math.min(all.size(), i + CHUNK)), refresh);
        }
    }

    /** Sessions with usage in minutes at or after {@code since}, each checked from {@code since}. */
    public List<LiveUsage.Session> activeSince(Instant since) {
        List<LiveUsage.Session> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select member_id, session_key, min(team_key) from usage_session_minute
                where minute >= ? group by member_id, session_key
                """)) {
            ps.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new LiveUsage.Session(rs.getLong(1), rs.getString(2), rs.getString(3), since));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading active sessions failed", e);
        }
        return out;
    }

    /**
     * The largest 15-minute figures among a session's windows that got new usage, its latest minute,
     * and its first minute in the live window.
     */
    private record Peak(long memberId, String sessionKey, String teamKey, BigDecimal costUsd, long requests,
            Instant last, Instant first) {
    }

    private void checkChunk(List<LiveUsage.Session> sessions, boolean refresh) {
        List<Peak> peaks = peaks(sessions);
        Map<String, Thresholds> thresholds = thresholds(peaks.stream().map(Peak::teamKey).toList());
        java.util.Set<List<Object>> alerted = alertedLately(peaks);
        List<Peak> candidates = new ArrayList<>();
        for (Peak p : peaks) {
            Thresholds t = thresholds.getOrDefault(p.teamKey(), Thresholds.DEFAULT);
            if (p.costUsd().compareTo(t.costUsd()) >= 0 || p.requests() >= t.requests()
                    || Duration.between(p.first(), p.last()).compareTo(NIGHT_RUN) > 0
                            && nightStart(p.last(), t.zone()) != null
                    || alerted.contains(List.of(p.memberId(), p.sessionKey()))) {
                candidates.add(p);
            }
        }
        for (Reading r : totals(candidates)) {
            Thresholds t = thresholds.getOrDefault(r.teamKey(), Thresholds.DEFAULT);
            String reason = null;
            if (r.peakCostUsd().compareTo(t.costUsd()) >= 0) {
                reason = "cost";
            } else if (r.peakRequests() >= t.requests()) {
                reason = "requests";
            } // night alone is no loop: the loop signatures (LoopSignals, in each replica's memory) judge the rest
            boolean escalate = r.totalCostUsd().compareTo(t.costUsd().multiply(BigDecimal.valueOf(ESCALATE_AT))) >= 0
                    || r.totalRequests() >= t.requests() * ESCALATE_AT;
            if (reason != null || escalate) {
                alerts.onRunaway(r, reason, escalate, t, refresh);
            }
        }
    }

    /**
     * Phase one, for every session: the 15-minute windows ending at or after its {@code from}, read
     * from the minutes they cover only (so a batch of fresh events reads a few rows per session).
     */
    private List<Peak> peaks(List<LiveUsage.Session> sessions) {
        int n = sessions.size();
        Long[] members = new Long[n];
        String[] keys = new String[n], teams = new String[n], since = new String[n];
        for (int i = 0; i < n; i++) {
            LiveUsage.Session s = sessions.get(i);
            members[i] = s.memberId();
            keys[i] = s.sessionKey();
            teams[i] = s.teamKey();
            since[i] = s.from().toString();
        }
        List<Peak> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                with refs (member_id, session_key, team_key, since) as (
                    select * from unnest(?::int8[], ?::text[], ?::text[], ?::timestamptz[])),
                m as (
                    select s.member_id, s.session_key, s.minute, sum(s.cost_usd) as cost, sum(s.requests) as req
                    from usage_session_minute s
                    join refs r on r.member_id = s.member_id and r.session_key = s.session_key
                    where s.minute >= ? and s.minute >= r.since - interval '14 minutes'
                    group by 1, 2, 3),
                w as (
                    select m.*, sum(cost) over win as c15, sum(req) over win as r15
                    from m
                    window win as (partition by member_id, session_key order by minute
                                   range between interval '14 minutes' preceding and current row))
                select w.member_id, w.session_key, min(r.team_key),
                       coalesce(max(w.c15) filter (where w.minute >= r.since), 0),
                       coalesce(max(w.r15) filter (where w.minute >= r.since), 0), max(w.minute),
                       (select min(x.minute) from usage_session_minute x
                        where x.member_id = w.member_id and x.session_key = w.session_key and x.minute >= ?)
                from w join refs r on r.member_id = w.member_id and r.session_key = w.session_key
                group by w.member_id, w.session_key
                """)) {
            ps.setArray(1, c.createArrayOf("int8", members));
            ps.setArray(2, c.createArrayOf("text", keys));
            ps.setArray(3, c.createArrayOf("text", teams));
            ps.setArray(4, c.createArrayOf("text", since));
            Timestamp liveSince = Timestamp.from(Instant.now().minus(LiveUsage.WINDOW));
            ps.setTimestamp(5, liveSince);
            ps.setTimestamp(6, liveSince);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Peak(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBigDecimal(4),
                            rs.getLong(5), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading session figures failed", e);
        }
        return out;
    }

    /** The sessions among these with a runaway alert in the live window (escalation, figures to refresh). */
    private java.util.Set<List<Object>> alertedLately(List<Peak> peaks) {
        java.util.Set<List<Object>> out = new java.util.HashSet<>();
        if (peaks.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select distinct member_id, session_key from alert
                where kind = 'runaway' and created_at >= ? and member_id = any(?) and status <> 'voided'
                """)) {
            ps.setTimestamp(1, Timestamp.from(Instant.now().minus(LiveUsage.WINDOW)));
            ps.setArray(2, c.createArrayOf("int8", peaks.stream().map(Peak::memberId).distinct().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(List.of(rs.getLong(1), rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading recent alerts failed", e);
        }
        return out;
    }

    /** Phase two, for the few sessions worth it: what each spent over the live window, and since when. */
    private List<Reading> totals(List<Peak> candidates) {
        List<Reading> out = new ArrayList<>();
        if (candidates.isEmpty()) {
            return out;
        }
        Map<List<Object>, Peak> byKey = new HashMap<>();
        for (Peak p : candidates) {
            byKey.put(List.of(p.memberId(), p.sessionKey()), p);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select s.member_id, s.session_key, sum(s.cost_usd), sum(s.requests), min(s.minute), max(s.minute)
                from usage_session_minute s
                join unnest(?::int8[], ?::text[]) as r (member_id, session_key)
                    on r.member_id = s.member_id and r.session_key = s.session_key
                where s.minute >= ?
                group by s.member_id, s.session_key
                """)) {
            ps.setArray(1, c.createArrayOf("int8", candidates.stream().map(Peak::memberId).toArray()));
            ps.setArray(2, c.createArrayOf("text", candidates.stream().map(Peak::sessionKey).toArray()));
            ps.setTimestamp(3, Timestamp.from(Instant.now().minus(LiveUsage.WINDOW)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Peak p = byKey.get(List.of(rs.getLong(1), rs.getString(2)));
                    out.add(new Reading(p.memberId(), p.sessionKey(), p.teamKey(), p.costUsd(), p.requests(),
                            rs.getBigDecimal(3), rs.getLong(4), rs.getTimestamp(5).toInstant(),
                            rs.getTimestamp(6).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading session totals failed", e);
        }
        return out;
    }

    /**
     * Whether the session's figures, as they stand now, up to {@code until} cross one of the team's lines as the
     * check reads them: a 15-minute window ending in the live window before {@code until} reaches the cost or
     * request line, or the session had kept spending at night for more than {@link #NIGHT_RUN} at its last minute
     * before {@code until}. (Voiding asks this of the alerts raised on usage it took out.)
     */
    boolean wouldFlag(long memberId, String sessionKey, Thresholds t, Instant until) {
        Instant since = until.minus(LiveUsage.WINDOW);
        MinuteFigures m = new MinuteFigures();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select minute, sum(cost_usd), sum(requests) from usage_session_minute
                where member_id = ? and session_key = ? and minute >= ? and minute <= ?
                group by minute having sum(requests) <> 0 or abs(sum(cost_usd)) >= 0.000001
                order by minute
                """)) {
            ps.setLong(1, memberId);
            ps.setString(2, sessionKey);
            ps.setTimestamp(3, Timestamp.from(since.minus(Duration.ofMinutes(MinuteFigures.WINDOW_MINUTES - 1))));
            ps.setTimestamp(4, Timestamp.from(until));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    m.add(rs.getTimestamp(1).toInstant().getEpochSecond() / 60, rs.getBigDecimal(2).doubleValue(),
                            rs.getLong(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading session figures failed", e);
        }
        if (m.size() == 0) {
            return false;
        }
        MinuteFigures.Peak peak = m.peak(Math.floorDiv(since.getEpochSecond(), 60));
        return peak.costUsd() >= t.costUsd().doubleValue() - 1e-9 || peak.requests() >= t.requests();
    }

    /** The runaway thresholds and timezones of these teams (teams not found get the defaults). */
    Map<String, Thresholds> thresholds(Collection<String> teamKeys) {
        Map<String, Thresholds> out = new HashMap<>();
        TreeSet<String> keys = new TreeSet<>(teamKeys);
        keys.remove(Team.UNASSIGNED);
        if (keys.isEmpty()) {
            return out;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select key, runaway_cost_usd, runaway_requests, timezone from team where key = any(?)")) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1),
                            new Thresholds(rs.getBigDecimal(2), rs.getLong(3), ZoneId.of(rs.getString(4))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading runaway thresholds failed", e);
        }
        return out;
    }

    /** The start of the night (22:00 local) that {@code t} falls in, or null when {@code t} is daytime. */
    static ZonedDateTime nightStart(Instant t, ZoneId zone) {
        ZonedDateTime local = t.atZone(zone);
        LocalTime time = local.toLocalTime();
        if (!time.isBefore(NIGHT_STARTS)) {
            return local.with(NIGHT_STARTS);
        }
        if (time.isBefore(NIGHT_ENDS)) {
            return local.minusDays(1).with(NIGHT_STARTS);
        }
        return null;
    }

    /** The first minute (22:00 local) of the night the figures' last minute falls in, or -1 in the daytime. */
    static long nightOfLast(MinuteFigures m, ZoneId zone) {
        var night = nightStart(Instant.ofEpochSecond(m.minute(m.size() - 1) * 60), zone);
        return night == null ? -1 : night.toEpochSecond() / 60;
    }

    private boolean keptSpendingAtNight(Reading r, ZoneId zone) {
        if (Duration.between(r.first(), r.last()).compareTo(NIGHT_RUN) <= 0) {
            return false;
        }
        ZonedDateTime night = nightStart(r.last(), zone);
        if (night == null) {
            return false;
        }
        List<Instant> minutes = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select distinct minute from usage_session_minute
                where member_id = ? and session_key = ? and minute >= ? and minute <= ?
                order by minute desc
                """)) {
            ps.setLong(1, r.memberId());
            ps.setString(2, r.sessionKey());
            ps.setTimestamp(3, Timestamp.from(night.toInstant()));
            ps.setTimestamp(4, Timestamp.from(r.last()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    minutes.add(rs.getTimestamp(1).toInstant());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading night-time session figures failed", e);
        }
        return nightRun(minutes).compareTo(NIGHT_RUN) > 0;
    }

    /** How long the run of minutes ending at the first (newest) one lasts, pauses up to {@link #NIGHT_GAP} allowed. */
    static Duration nightRun(List<Instant> newestFirst) {
        if (newestFirst.isEmpty()) {
            return Duration.ZERO;
        }
        Instant end = newestFirst.get(0);
        Instant start = end;
        for (Instant m : newestFirst) {
            if (Duration.between(m, start).compareTo(NIGHT_GAP) > 0) {
                break;
            }
            start = m;
        }
        return Duration.between(start, end);
    }
}
