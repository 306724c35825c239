package dev.yardstick.watch;

import dev.yardstick.ledger.LiveUsage;
import dev.yardstick.ledger.UsageRecord;
import dev.yardstick.ledger.UsageTakenBack;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Watches new usage for runaway sessions and budget thresholds shortly after it is committed, on one
 * background thread, so ingest never waits for it. "Local first, shared on suspicion":
 *
 * <ul>
 * <li>each replica adds up the live usage it ingests per session and minute, in memory;</li>
 * <li>every {@link #COALESCE_MS} it checks the sessions that got usage against the team's lines
 * divided by the number of live replicas ({@code watch_replica}): when a session crosses a line,
 * at least one replica holds that share of it;</li>
 * <li>such a session becomes <em>shared</em> ({@code watch_session}): every replica that has seen it
 * writes its per-minute figures to {@code usage_session_minute} (now and from then on, every few
 * seconds), and {@link RunawayDetector} decides on the sum of all replicas;</li>
 * <li>{@link AlertSweepJob} checks the shared sessions again every minute.</li>
 * </ul>
 *
 * So ingest of ordinary usage costs PostgreSQL nothing more, and only sessions near a line are
 * written and read. A replica that stops gracefully hands over the sessions whose figures could still
 * decide an alert ({@link #worthHandingOver}); one that crashes loses what it had of sessions that were
 * not shared yet (the ledger keeps every event; detection of them starts again from new usage).
 */
@ApplicationScoped
public class Watcher {

    private static final Logger LOG = Logger.getLogger(Watcher.class);
    /**
     * How long new usage waits to be checked together with what follows it: under heavy ingest one
     * check covers every batch of these seconds, and an alert still goes out well within a minute.
     */
    static final long COALESCE_MS = 3_000;
    /** How often a replica says it is alive, counts the others and looks for newly shared sessions. */
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /** A replica not heard of in this long no longer counts. */
    static final Duration REPLICA_TIMEOUT = Duration.ofSeconds(35);

    @Inject
    AlertsConfig alertSettings;
    @Inject
    RunawayDetector detector;
    @Inject
    RunawayAlerts alerts;
    @Inject
    BudgetAlerts budgetAlerts;
    @Inject
    SessionMinutes sessionMinutes;
    @Inject
    DataSource dataSource;
    @Inject
    MeterRegistry registry;

    private final String replicaId = UUID.randomUUID().toString();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-watch");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    /** New usage ({@link LiveUsage}) and usage taken back ({@link UsageTakenBack}), in the order they committed. */
    private final ConcurrentLinkedQueue<Object> arrived = new ConcurrentLinkedQueue<>();
    private boolean scheduled;
    private boolean running;
    private volatile int replicas = 1;

    // used on the worker thread only
    private final Map<SessionFigures.Key, SessionFigures> sessions = new HashMap<>();
    /** Shared sessions this replica knows of, with when they were shared. */
    private final Map<SessionFigures.Key, Instant> sharedKeys = new HashMap<>();
    private final Set<SessionFigures> touched = new java.util.LinkedHashSet<>();
    private final Set<String> teams = new TreeSet<>();
    /** Database time of the last poll for shared sessions; the first poll reads every share kept. */
    private Instant lastPoll = Instant.now().minus(SHARES_KEPT);
    /** How long {@code watch_session} rows are kept (purged by the retention job). */
    static final Duration SHARES_KEPT = Duration.ofDays(2);

    void start(@Observes StartupEvent event) {
        if (alertSettings.enabled()) {
            Gauge.builder("yardstick_watch_replicas", () -> replicas)
                    .description("Replicas watching usage for runaway sessions, as this replica counts them")
                    .register(registry);
            worker.scheduleWithFixedDelay(this::heartbeat, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void onUsage(@Observes LiveUsage usage) {
        if (!alertSettings.enabled()) {
            return;
        }
        arrived.add(usage); // added up on the watcher's thread, not the ingest request's, right away
        try { // (so the batch's columns die young), and checked every few seconds
            worker.execute(this::collect);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Watcher stopped; usage is left to the ledger", e);
        }
        scheduleDrain(COALESCE_MS);
    }

    /**
     * Usage the ledger took back (a retraction, a void), once committed: taken out of what this replica holds, on
     * the watcher's thread, after the usage that arrived before it. Only the replica that took it back hears of it;
     * the others keep counting it in memory, which can only make them suspect a session early: the decision is
     * made on the shared figures, which the ledger corrected in its transaction.
     */
    void onTakenBack(@Observes(during = TransactionPhase.AFTER_SUCCESS) UsageTakenBack back) {
        if (!alertSettings.enabled()) {
            return;
        }
        arrived.add(back);
        try {
            worker.execute(this::collect);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Watcher stopped; usage taken back is left to the ledger", e);
        }
    }

    private void scheduleDrain(long delayMs) {
        synchronized (lock) {
            if (!scheduled && !worker.isShutdown()) {
                try {
                    worker.schedule(this::drain, delayMs, TimeUnit.MILLISECONDS);
                    scheduled = true;
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    LOG.debug("Watcher stopped; usage is left to the ledger", e);
                }
            }
        }
    }

    /** Adds what arrived to the sessions' figures; remembers the sessions and teams that got usage. */
    private void collect() {
        for (Object next; (next = arrived.poll()) != null;) {
            if (next instanceof UsageTakenBack back) {
                takeBack(back);
                continue;
            }
            LiveUsage u = (LiveUsage) next;
            Instant liveSince = Instant.now().minus(LiveUsage.WINDOW);
            String lastTeam = null;
            for (int i = 0; i < u.events().length; i++) {
                if (!u.isNew()[i]) {
                    continue;
                }
                String team = u.teamKeys()[i];
                if (!team.equals(lastTeam)) {
                    teams.add(team);
                    lastTeam = team;
                }
                if (!u.isLive(i, liveSince)) {
                    continue;
                }
                UsageRecord e = u.events()[i];
                SessionFigures.Key key = new SessionFigures.Key(u.memberIds()[i],
                        LiveUsage.sessionKey(e.sessionId(), e.tool()));
                SessionFigures f = sessions.get(key);
                if (f == null) {
                    f = new SessionFigures(key);
                    if (sharedKeys.containsKey(key)) {
                        f.share();
                    }
                    sessions.put(key, f);
                }
                if (f.newFrom == Long.MAX_VALUE) {
                    touched.add(f);
                }
                f.add(team, e.tool(), e.model(), Math.floorDiv(e.time().getEpochSecond(), 60),
                        u.costs()[i].doubleValue(), e.requests());
            }
        }
    }

    private void takeBack(UsageTakenBack back) {
        for (LiveUsage.Minute m : back.minus()) {
            SessionFigures f = sessions.get(new SessionFigures.Key(m.memberId(), m.sessionKey()));
            if (f != null) {
                f.takeBack(m.minute().getEpochSecond() / 60, -m.costUsd().doubleValue(), -m.requests());
            }
        }
    }

    private void drain() {
        synchronized (lock) {
            scheduled = false;
            running = true;
        }
        List<SessionFigures> checked = List.of();
        try {
            collect();
            checked = new ArrayList<>(touched);
            touched.clear();
            Map<String, RunawayDetector.Thresholds> lines = thresholds(checked);
            List<SessionFigures> suspects = new ArrayList<>();
            for (SessionFigures f : checked) {
                try {
                    if (!f.shared() && suspect(f, lines.getOrDefault(f.teamKey, RunawayDetector.Thresholds.DEFAULT))) {
                        suspects.add(f);
                    }
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Checking session %s of member %d failed", f.key.sessionKey(), f.key.memberId());
                }
            }
            share(suspects);
            writeAndCheck(checked);
            Set<String> budgets = new TreeSet<>(teams);
            teams.clear();
            check(List.of(), budgets, false);
        } catch (RuntimeException e) {
            LOG.error("Runaway check failed; the next heartbeat checks those sessions again", e);
            for (SessionFigures f : checked) {
                if (f.newFrom != Long.MAX_VALUE) {
                    touched.add(f);
                }
            }
        } finally {
            synchronized (lock) {
                running = false;
            }
        }
    }

    private Map<String, RunawayDetector.Thresholds> thresholds(List<SessionFigures> checked) {
        if (checked.isEmpty()) {
            return Map.of();
        }
        Set<String> keys = new TreeSet<>();
        for (SessionFigures f : checked) {
            keys.add(f.teamKey);
        }
        return detector.thresholds(keys);
    }

    /**
     * Whether what this replica has seen of a session since {@code newFrom} could belong to a runaway
     * session: its 15-minute figures reach the team's line divided by the number of replicas, or it
     * has kept spending at night: alone, as the night rule says; with other replicas, for over
     * {@link RunawayDetector#NIGHT_GAP} tonight (a replica may see only some of a session's calls, so
     * the shared figures decide).
     */
    private boolean suspect(SessionFigures f, RunawayDetector.Thresholds t) {
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
        long nightStart = nightOfLast(m, t.zone());
        if (nightStart < 0) {
            return false;
        }
        return n == 1
                ? m.run(nightStart, RunawayDetector.NIGHT_GAP.toMinutes()) > span
                : last - m.minute(m.lowerBound(nightStart)) > span;
    }

    /** The first minute (22:00 local) of the night the session's last minute falls in, or -1 in the daytime. */
    private static long nightOfLast(MinuteFigures m, ZoneId zone) {
        var night = RunawayDetector.nightStart(Instant.ofEpochSecond(m.minute(m.size() - 1) * 60), zone);
        return night == null ? -1 : night.toEpochSecond() / 60;
    }

    /** Marks these sessions shared, for every replica. */
    private void share(List<SessionFigures> suspects) {
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
     * usage on the sum of every replica's figures. Every session here is marked checked.
     */
    private void writeAndCheck(List<SessionFigures> checked) {
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
                    touched.add(f);
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
                touched.add(f);
            }
        }
    }

    /**
     * Every {@link #HEARTBEAT}: says this replica is alive and counts the live ones, takes up sessions
     * other replicas shared, and forgets usage older than the live window.
     */
    private void heartbeat() {
        try {
            Instant pollFrom = lastPoll.minusSeconds(30); // rows commit out of order; sharing twice is harmless
            Instant now = Instant.now();
            Instant dbNow;
            List<SessionFigures.Key> shared = new ArrayList<>();
            try (Connection c = dataSource.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        insert into watch_replica (id, seen_at) values (?, now())
                        on conflict (id) do update set seen_at = now()
                        returning seen_at
                        """)) {
                    ps.setString(1, replicaId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        dbNow = rs.getTimestamp(1).toInstant(); // polls compare the database's clock only
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "select count(*) from watch_replica where seen_at >= now() - ?::interval")) {
                    ps.setString(1, REPLICA_TIMEOUT.toSeconds() + " seconds");
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        replicas = Math.max(1, rs.getInt(1));
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "select member_id, session_key from watch_session where created_at >= ?")) {
                    ps.setTimestamp(1, Timestamp.from(pollFrom));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            shared.add(new SessionFigures.Key(rs.getLong(1), rs.getString(2)));
                        }
                    }
                }
            }
            lastPoll = dbNow;
            for (SessionFigures.Key key : shared) {
                sharedKeys.put(key, now);
                SessionFigures f = sessions.get(key);
                if (f != null && !f.shared()) {
                    boolean fresh = f.newFrom == Long.MAX_VALUE;
                    f.share();
                    if (fresh) {
                        touched.add(f);
                    }
                }
            }
            forgetOld(now);
            if (!touched.isEmpty()) {
                scheduleDrain(0);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Watcher heartbeat failed; trying again in " + HEARTBEAT.toSeconds() + " s", e);
        }
    }

    private void forgetOld(Instant now) {
        long liveSince = now.minus(LiveUsage.WINDOW).getEpochSecond() / 60;
        for (Iterator<SessionFigures> it = sessions.values().iterator(); it.hasNext();) {
            SessionFigures f = it.next();
            f.dropBefore(liveSince);
            if (f.minutes.size() == 0 && (!f.shared() || f.unwritten.size() == 0)) {
                it.remove();
                touched.remove(f);
            } else if (f.shared()) {
                sharedKeys.put(f.key, now); // still in use: a new figure of it after a pause is shared too
            }
        }
        sharedKeys.values().removeIf(t -> t.isBefore(now.minus(SHARES_KEPT)));
    }

    /** Whether no usage is waiting to be checked and no check is running (tests wait for this). */
    public boolean idle() {
        synchronized (lock) {
            return !scheduled && !running && arrived.isEmpty();
        }
    }

    /**
     * What this replica holds of a member's live usage, per session and minute, with each session's
     * main tool and model (for tests and troubleshooting).
     */
    public List<LiveUsage.Minute> liveMinutes(long memberId) {
        try {
            return worker.submit(() -> {
                List<LiveUsage.Minute> out = new ArrayList<>();
                for (SessionFigures f : sessions.values()) {
                    if (f.key.memberId() == memberId) {
                        f.rows(f.minutes, out);
                    }
                }
                return out;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Checks these shared sessions and these teams' budgets now, on the caller's thread;
     * {@code refresh}: bring flagged sessions' alert figures up to date now.
     */
    public void check(List<LiveUsage.Session> sessions, Set<String> teams, boolean refresh) {
        try {
            detector.check(sessions, refresh);
        } catch (RuntimeException e) {
            LOG.error("Runaway check failed; the sweep will look again", e);
        }
        Instant now = Instant.now();
        for (String team : teams) {
            try {
                budgetAlerts.checkBudget(team, now);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Budget check of team %s failed; the sweep will look again", team);
            }
        }
    }

    /**
     * Whether a stopping replica hands this session over to the others: what it holds could still
     * decide an alert. That is a quarter of a line ÷ {@code replicas} in the last 15 minutes (so even
     * when a rolling deploy replaces every replica, what they drop delays an alert by under a quarter
     * of a line), or spending for over {@link RunawayDetector#NIGHT_GAP} tonight and recently.
     */
    static boolean worthHandingOver(MinuteFigures m, RunawayDetector.Thresholds t, int replicas, long nowMinute) {
        if (m.size() == 0) {
            return false;
        }
        double cost = 0;
        long requests = 0;
        for (int i = m.lowerBound(nowMinute - (MinuteFigures.WINDOW_MINUTES - 1)); i < m.size(); i++) {
            cost += m.cost(i);
            requests += m.requests(i);
        }
        int share = HAND_OVER_SHARE * Math.max(1, replicas);
        if (cost >= t.costUsd().doubleValue() / share - 1e-9 || requests * share >= t.requests()) {
            return true;
        }
        long last = m.minute(m.size() - 1);
        long gap = RunawayDetector.NIGHT_GAP.toMinutes();
        if (last < nowMinute - gap) {
            return false;
        }
        long nightStart = nightOfLast(m, t.zone());
        return nightStart >= 0 && last - m.minute(m.lowerBound(nightStart)) > gap;
    }

    /** A stopping replica hands over sessions that hold at least 1/this of a 15-minute line ÷ replicas. */
    static final int HAND_OVER_SHARE = 4;
    /** How long a stopping replica may take to hand its sessions over. */
    static final Duration HAND_OVER_TIME = Duration.ofSeconds(10);

    /**
     * On a graceful stop (a deploy, a scale-down; in-flight ingest has finished, see
     * {@code quarkus.shutdown.timeout}): shares the sessions whose figures could still matter and
     * writes what this replica holds of every shared session, so the replicas that go on (or the one
     * that starts next) add it to theirs. The sweep on those replicas checks them.
     */
    private int handOver() {
        collect();
        List<SessionFigures> candidates = new ArrayList<>();
        for (SessionFigures f : sessions.values()) {
            if (!f.shared()) {
                candidates.add(f);
            }
        }
        Map<String, RunawayDetector.Thresholds> lines = thresholds(candidates);
        long nowMinute = Instant.now().getEpochSecond() / 60;
        List<SessionFigures> over = new ArrayList<>();
        for (SessionFigures f : candidates) {
            if (worthHandingOver(f.minutes, lines.getOrDefault(f.teamKey, RunawayDetector.Thresholds.DEFAULT),
                    replicas, nowMinute)) {
                over.add(f);
            }
        }
        share(over);
        List<LiveUsage.Minute> rows = new ArrayList<>();
        List<SessionFigures> written = new ArrayList<>();
        for (SessionFigures f : sessions.values()) {
            if (f.shared() && f.unwritten.size() > 0) {
                f.rows(f.unwritten, rows);
                written.add(f);
            }
        }
        sessionMinutes.add(rows);
        written.forEach(f -> f.unwritten.clear());
        return over.size();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        try {
            if (alertSettings.enabled()) {
                var handing = worker.submit(this::handOver);
                try {
                    int n = handing.get(HAND_OVER_TIME.toMillis(), TimeUnit.MILLISECONDS);
                    if (n > 0) {
                        LOG.infof("Stopping: handed %d session(s) over to the other replicas", n);
                    }
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    handing.cancel(true);
                    LOG.warn("Could not hand sessions over to the other replicas; what this replica held of"
                            + " sessions not shared yet is lost", e instanceof ExecutionException ? e.getCause() : e);
                }
            }
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Watcher already stopped", e);
        } finally {
            worker.shutdownNow();
            worker.awaitTermination(5, TimeUnit.SECONDS);
            if (alertSettings.enabled()) {
                try (Connection c = dataSource.getConnection();
                        PreparedStatement ps = c.prepareStatement("delete from watch_replica where id = ?")) {
                    ps.setString(1, replicaId);
                    ps.executeUpdate();
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("Could not sign off from watch_replica", e);
                }
            }
        }
    }
}
