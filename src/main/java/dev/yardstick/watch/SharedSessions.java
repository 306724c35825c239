package dev.yardstick.watch;

import dev.yardstick.ledger.LiveUsage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The shared sessions ({@code watch_session}): the sessions one replica found suspect, whose per-minute
 * figures every replica that has seen them writes to {@code usage_session_minute}, so
 * {@link RunawayDetector} decides on the sum of all replicas. Used on the watcher's thread only.
 */
@ApplicationScoped
class SharedSessions {

    private static final Logger LOG = Logger.getLogger(SharedSessions.class);
    /** How long {@code watch_session} rows are kept (purged by the retention job). */
    static final Duration SHARES_KEPT = Duration.ofDays(2);

    @Inject
    RunawayDetector detector;
    @Inject
    RunawayAlerts alerts;
    @Inject
    SessionMinutes sessionMinutes;
    @Inject
    DataSource dataSource;

    /** Shared sessions this replica knows of, with when they were shared. */
    private final Map<SessionFigures.Key, Instant> sharedKeys = new HashMap<>();
    /** Database time of the last poll for shared sessions; the first poll reads every share kept. */
    private Instant lastPoll = Instant.now().minus(SHARES_KEPT);

    /** Whether this replica knows the session is shared. */
    boolean isShared(SessionFigures.Key key) {
        return sharedKeys.containsKey(key);
    }

    /** The lines of these sessions' teams. */
    Map<String, RunawayDetector.Thresholds> thresholds(Collection<SessionFigures> sessions) {
        if (sessions.isEmpty()) {
            return Map.of();
        }
        TreeSet<String> keys = new TreeSet<>();
        for (SessionFigures f : sessions) {
            keys.add(f.teamKey);
        }
        return detector.thresholds(keys);
    }

    /** Shares those of these sessions, not shared yet, that are suspect with {@code replicas} live replicas. */
    void shareSuspects(List<SessionFigures> checked, int replicas) {
        Map<String, RunawayDetector.Thresholds> lines = thresholds(checked);
        List<SessionFigures> suspects = new ArrayList<>();
        for (SessionFigures f : checked) {
            try {
                if (!f.shared() && suspect(f, lines.getOrDefault(f.teamKey, RunawayDetector.Thresholds.DEFAULT),
                        replicas)) {
                    suspects.add(f);
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "Checking session %s of member %d failed", f.key.sessionKey(), f.key.memberId());
            }
        }
        share(suspects);
    }

    /**
     * Whether what this replica has seen of a session since {@code newFrom} could belong to a runaway
     * session: its 15-minute figures reach the team's line divided by the number of replicas, or it
     * has kept spending at night: alone, for over {@link RunawayDetector#NIGHT_RUN}; with other replicas, for over
     * {@link RunawayDetector#NIGHT_GAP} tonight (a replica may see only some of a session's calls). Night alone
     * raises no alert; such a session is shared so that its figures are at hand, across replicas, should it cross
     * a ceiling.
     */
    private static boolean suspect(SessionFigures f, RunawayDetector.Thresholds t, int replicas) {
        MinuteFigures m = f.minutes;
        if (m.size() == 0) {
            return false;
        }
        int n = Math.max(1, replicas);
        MinuteFigures.Peak peak = m.peak(f.newFrom);
        if (peak.costUsd() >= t.costUsd().doubleValue() / n - 1e-9
                || peak.requests() >= (t.requests() + n - 1) / n) {
            return true;
        }
        long last = m.minute(m.size() - 1);
        int first = m.lowerBound(Instant.now().minus(LiveUsage.WINDOW).getEpochSecond() / 60);
        long span = n == 1 ? RunawayDetector.NIGHT_RUN.toMinutes() : RunawayDetector.NIGHT_GAP.toMinutes();
        if (first >= m.size() || last - m.minute(first) <= span) {
            return false;
        }
        long nightStart = RunawayDetector.nightOfLast(m, t.zone());
        if (nightStart < 0) {
            return false;
        }
        return n == 1
                ? m.run(nightStart, RunawayDetector.NIGHT_GAP.toMinutes()) > span
                : last - m.minute(m.lowerBound(nightStart)) > span;
    }

    /** Marks these sessions shared, for every replica. */
    void share(List<SessionFigures> suspects) {
        if (suspects.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into watch_session (member_id, session_key)
                select * from unnest(?::int8[], ?::text[])
                on conflict (member_id, session_key) do update set created_at = now()
                """)) {
            ps.setArray(1, c.createArrayOf("int8", suspects.stream().map(f -> f.key.memberId()).toArray()));
            ps.setArray(2, c.createArrayOf("text", suspects.stream().map(f -> f.key.sessionKey()).toArray()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("sharing sessions failed", e);
        }
        Instant now = Instant.now();
        for (SessionFigures f : suspects) {
            sharedKeys.put(f.key, now);
            f.share();
        }
    }

    /**
     * Writes what this replica has of shared sessions and not written yet, then checks those that got
     * usage on the sum of every replica's figures. Every session here is marked checked; those to check
     * again (with the next usage or heartbeat) go to {@code again}.
     */
    void writeAndCheck(List<SessionFigures> checked, Consumer<SessionFigures> again) {
        List<LiveUsage.Minute> rows = new ArrayList<>();
        List<LiveUsage.Session> toCheck = new ArrayList<>();
        List<SessionFigures> checking = new ArrayList<>();
        List<SessionFigures> written = new ArrayList<>();
        for (SessionFigures f : checked) {
            if (f.shared()) {
                f.rows(f.unwritten, rows);
                written.add(f);
                if (f.newFrom != Long.MAX_VALUE && !alerts.settled(f.key.memberId(), f.key.sessionKey())) {
                    toCheck.add(new LiveUsage.Session(f.key.memberId(), f.key.sessionKey(), f.teamKey,
                            Instant.ofEpochSecond(f.newFrom * 60)));
                    checking.add(f);
                }
            }
            f.newFrom = Long.MAX_VALUE;
        }
        try {
            sessionMinutes.add(rows);
        } catch (RuntimeException e) {
            LOG.error("Writing per-minute figures of shared sessions failed; they are kept for the next check", e);
            for (SessionFigures f : written) { // checked again with the next usage or heartbeat
                if (f.unwritten.size() > 0) {
                    f.newFrom = f.unwritten.minute(0);
                    again.accept(f);
                }
            }
            return;
        }
        written.forEach(f -> f.unwritten.clear());
        try {
            detector.check(toCheck, false);
        } catch (RuntimeException e) {
            LOG.error("Runaway check failed; the next heartbeat checks those sessions again", e);
            for (int i = 0; i < checking.size(); i++) {
                SessionFigures f = checking.get(i);
                f.newFrom = Math.min(f.newFrom, toCheck.get(i).from().getEpochSecond() / 60);
                again.accept(f);
            }
        }
    }

    /** Writes what this replica holds of every shared session and has not written yet. */
    void writeAll(Collection<SessionFigures> sessions) {
        List<LiveUsage.Minute> rows = new ArrayList<>();
        List<SessionFigures> written = new ArrayList<>();
        for (SessionFigures f : sessions) {
            if (f.shared() && f.unwritten.size() > 0) {
                f.rows(f.unwritten, rows);
                written.add(f);
            }
        }
        sessionMinutes.add(rows);
        written.forEach(f -> f.unwritten.clear());
    }

    /**
     * The sessions other replicas shared since the last poll (a little before it: rows commit out of
     * order; sharing twice is harmless), known as shared from {@code now}. {@code dbNow}: the database's
     * time at this heartbeat, where the next poll starts.
     */
    List<SessionFigures.Key> poll(Instant dbNow, Instant now) throws SQLException {
        Instant pollFrom = lastPoll.minusSeconds(30);
        List<SessionFigures.Key> shared = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select member_id, session_key from watch_session where created_at >= ?")) {
            ps.setTimestamp(1, Timestamp.from(pollFrom));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    shared.add(new SessionFigures.Key(rs.getLong(1), rs.getString(2)));
                }
            }
        }
        lastPoll = dbNow;
        for (SessionFigures.Key key : shared) {
            sharedKeys.put(key, now);
        }
        return shared;
    }

    /** A shared session still in use: a new figure of it after a pause is shared too. */
    void stillInUse(SessionFigures.Key key, Instant now) {
        sharedKeys.put(key, now);
    }

    /** Forgets shared sessions not in use for {@link #SHARES_KEPT}. */
    void forgetOld(Instant now) {
        sharedKeys.values().removeIf(t -> t.isBefore(now.minus(SHARES_KEPT)));
    }
}
