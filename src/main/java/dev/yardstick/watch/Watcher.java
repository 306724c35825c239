package dev.yardstick.watch;

import dev.yardstick.ledger.LiveUsage;
import dev.yardstick.ledger.UsageRecord;
import dev.yardstick.ledger.UsageTakenBack;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Watches new usage for runaway sessions and budget thresholds shortly after it is committed, on one
 * background thread, so ingest never waits for it. "Local first, shared on suspicion":
 *
 * <ul>
 * <li>each replica adds up the live usage it ingests per session and minute, in memory;</li>
 * <li>every {@link #COALESCE_MS} it checks the sessions that got usage against the team's lines
 * divided by the number of live replicas ({@link ReplicaRegistry}, {@code watch_replica}): when a
 * session crosses a line, at least one replica holds that share of it;</li>
 * <li>such a session becomes <em>shared</em> ({@link SharedSessions}, {@code watch_session}): every
 * replica that has seen it writes its per-minute figures to {@code usage_session_minute} (now and from
 * then on, every few seconds), and {@link RunawayDetector} decides on the sum of all replicas;</li>
 * <li>{@link AlertSweepJob} checks the shared sessions again every minute.</li>
 * </ul>
 *
 * So ingest of ordinary usage costs PostgreSQL nothing more, and only sessions near a line are
 * written and read. A replica that stops gracefully hands over the sessions whose figures could still
 * decide an alert ({@link HandOver}); one that crashes loses what it had of sessions that were
 * not shared yet (the ledger keeps every event; detection of them starts again from new usage).
 * This class receives the live usage, adds it up and runs the others on its thread.
 */
@ApplicationScoped
public class Watcher {

    private static final Logger LOG = Logger.getLogger(Watcher.class);
    /**
     * How long new usage waits to be checked together with what follows it: under heavy ingest one
     * check covers every batch of these seconds, and an alert still goes out well within a minute.
     */
    static final long COALESCE_MS = 3_000;

    @Inject
    AlertsConfig alertSettings;
    @Inject
    RunawayDetector detector;
    @Inject
    BudgetAlerts budgetAlerts;
    @Inject
    ReplicaRegistry replicas;
    @Inject
    SharedSessions shared;
    @Inject
    HandOver handOver;
    @Inject
    RunawayAlerts runaway;
    @Inject
    IntendedBaselines intended;
    @Inject
    dev.yardstick.ledger.UsageHistory history;

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

    // used on the worker thread only
    private final Map<SessionFigures.Key, SessionFigures> sessions = new HashMap<>();
    private final Set<SessionFigures> touched = new java.util.LinkedHashSet<>();
    private final Set<String> teams = new TreeSet<>();
    /** Sessions whose requests or failures changed since their loop signatures were last checked. */
    private final Set<SessionFigures> loopTouched = new java.util.LinkedHashSet<>();
    /** The member each user (as the tools name them) was booked to, learned from their usage. */
    private final Map<String, Long> memberOfUser = new HashMap<>();
    /** Signals of sessions this replica has seen no usage of yet (a prompt comes before the first request). */
    private final Map<String, LoopSignals> pendingSignals = new java.util.LinkedHashMap<>(16, 0.75f, false) {

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LoopSignals> eldest) {
            return size() > 50_000;
        }
    };
    /** The teams' ceilings and timezones, read at most every {@link #LINES_REFRESH}. */
    private final Map<String, RunawayDetector.Thresholds> lines = new HashMap<>();
    private Instant linesRead = Instant.EPOCH;
    static final java.time.Duration LINES_REFRESH = java.time.Duration.ofMinutes(1);
    /** A session's 15 minutes must cost at least this before its owner's history is read. */
    static final double BASELINE_FLOOR_USD = 15;
    /** Days of history with the tool and model a person needs before the baseline counts (cold start: none). */
    static final int BASELINE_DAYS = 5;
    /** How long a person's history is kept in memory before it is read again. */
    static final java.time.Duration BASELINE_REFRESH = java.time.Duration.ofHours(1);
    private final Map<String, Object[]> baselines = new java.util.LinkedHashMap<>(16, 0.75f, true) {

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object[]> eldest) {
            return size() > 20_000;
        }
    };

    void start(@Observes StartupEvent event) {
        if (alertSettings.enabled()) {
            replicas.registerGauge();
            worker.scheduleWithFixedDelay(this::heartbeat, 0, ReplicaRegistry.HEARTBEAT.toMillis(),
                    TimeUnit.MILLISECONDS);
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
                    if (shared.isShared(key)) {
                        f.share();
                    }
                    sessions.put(key, f);
                    String user = userKey(e.user(), key.sessionKey());
                    memberOfUser.put(user.substring(0, user.indexOf('\n')), key.memberId());
                    f.loop = new LoopSignals();
                    LoopSignals before = pendingSignals.remove(user);
                    if (before != null) {
                        f.loop.adopt(before);
                    }
                }
                if (f.newFrom == Long.MAX_VALUE) {
                    touched.add(f);
                }
                double cost = u.costs()[i].doubleValue();
                f.add(team, e.tool(), e.model(), Math.floorDiv(e.time().getEpochSecond(), 60), cost, e.requests());
                f.loop.request(e.time().getEpochSecond(), e.model(),
                        e.inputTokens() + e.cacheReadTokens() + e.cacheWriteTokens(), e.outputTokens(), cost);
                loopTouched.add(f);
                if (f.loop.dueForCheck()) {
                    // a batch of many minutes at once (a backlog, a replay): check before the ring forgets them
                    checkLoops(List.of(f));
                    loopTouched.remove(f);
                }
            }
            for (LiveUsage.Signal s : u.signals()) {
                if (s.time().isBefore(liveSince)) {
                    continue;
                }
                String user = userKey(s.user(), LiveUsage.sessionKey(s.sessionId(), s.tool()));
                Long member = memberOfUser.get(user.substring(0, user.indexOf('\n')));
                SessionFigures f = member == null
                        ? null
                        : sessions.get(new SessionFigures.Key(member, LiveUsage.sessionKey(s.sessionId(), s.tool())));
                LoopSignals l = f != null ? f.loop : pendingSignals.computeIfAbsent(user, k -> new LoopSignals());
                long at = s.time().getEpochSecond();
                switch (s.kind()) {
                    case PROMPT -> l.prompt(at);
                    case TOOL_OK -> l.toolOk(at);
                    default -> {
                        l.failure(at);
                        if (f != null) {
                            loopTouched.add(f);
                        }
                    }
                }
            }
        }
    }

    private static String userKey(String user, String sessionKey) {
        return user.toLowerCase(java.util.Locale.ROOT) + "\n" + sessionKey;
    }

    /**
     * Checks the loop signatures and the ceilings of the sessions that got requests or failures, in this replica's
     * memory, minute by minute in event time (each minute judged on what happened up to its end), and raises an
     * alert on the first minute one holds. A session alerted here is shared, so its figures reach the other
     * replicas and the sweep keeps its alert up to date.
     */
    private void checkLoops() {
        checkLoops(loopTouched);
        loopTouched.clear();
    }

    private void checkLoops(java.util.Collection<SessionFigures> toCheck) {
        if (toCheck.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        if (linesRead.isBefore(now.minus(LINES_REFRESH))) {
            lines.clear();
            linesRead = now;
        }
        Set<String> unknown = new TreeSet<>();
        for (SessionFigures f : toCheck) {
            if (f.teamKey != null && !lines.containsKey(f.teamKey)) {
                unknown.add(f.teamKey);
            }
        }
        if (!unknown.isEmpty()) {
            Map<String, RunawayDetector.Thresholds> read = detector.thresholds(unknown);
            for (String team : unknown) {
                lines.put(team, read.getOrDefault(team, RunawayDetector.Thresholds.DEFAULT));
            }
        }
        for (SessionFigures f : toCheck) {
            LoopSignals l = f.loop;
            long[] minutes = l.takeTouched();
            if (minutes.length == 0 || f.minutes.size() == 0
                    || l.alertedAt != null && l.alertedAt.isAfter(now.minus(RunawayAlerts.QUIET_AFTER_ALERT))) {
                continue;
            }
            RunawayDetector.Thresholds t = lines.getOrDefault(f.teamKey, RunawayDetector.Thresholds.DEFAULT);
            String tool = f.tool(), model = f.model();
            for (long m : minutes) {
                if (!f.minutes.has(m)) {
                    continue;
                }
                LoopSignals.Finding found = ceiling(f, m, t);
                if (found == null) {
                    found = l.check(m, t.zone(), p -> intended.cost(f.key.memberId(), tool, model, p));
                }
                if (found == null) {
                    found = baseline(f, m, t, tool, model);
                }
                if (found != null) {
                    raise(f, found, t, tool, model);
                    break;
                }
            }
        }
    }

    /**
     * Far above the person's own history: the 15 minutes to minute {@code m} cost at least
     * {@link #BASELINE_FLOOR_USD} and more than both the person's busiest day with this tool and model in the last
     * four weeks and the 99th percentile of their team's member-days, with no prompt in those 15 minutes. Needs
     * {@link #BASELINE_DAYS} days of history (a new installation, a new person, a new model: the signatures decide
     * alone). "It's intended" on such a session doubles the bar, as for the signatures.
     */
    private LoopSignals.Finding baseline(SessionFigures f, long m, RunawayDetector.Thresholds t, String tool,
            String model) {
        MinuteFigures.Peak w = f.minutes.sum(m - (MinuteFigures.WINDOW_MINUTES - 1), m);
        long end = (m + 1) * 60;
        long prompt = f.loop.promptBefore(end);
        if (w.costUsd() < BASELINE_FLOOR_USD || prompt >= end - MinuteFigures.WINDOW_MINUTES * 60) {
            return null;
        }
        String key = f.key.memberId() + "\n" + f.teamKey + "\n" + tool + "\n" + model;
        Object[] cached = baselines.get(key);
        Instant now = Instant.now();
        if (cached == null || ((Instant) cached[0]).isBefore(now.minus(BASELINE_REFRESH))) {
            java.time.LocalDate today = java.time.LocalDate.ofInstant(Instant.ofEpochSecond(end), t.zone());
            try {
                cached = new Object[]{now, history.baseline(f.key.memberId(), f.teamKey, tool, model,
                        today.minusDays(28), today.minusDays(1))};
            } catch (RuntimeException e) {
                LOG.warn("Reading a person's usage history failed; the signatures decide alone for now", e);
                return null;
            }
            baselines.put(key, cached);
        }
        dev.yardstick.ledger.UsageHistory.Baseline b = (dev.yardstick.ledger.UsageHistory.Baseline) cached[1];
        double usual = b.busiestDayUsd().doubleValue();
        double learned = intended.cost(f.key.memberId(), tool, model, LoopSignals.BASELINE);
        if (b.days() < BASELINE_DAYS || w.costUsd() <= usual || w.costUsd() <= b.teamDayP99Usd().doubleValue()
                || learned > 0 && w.costUsd() < LoopSignals.INTENDED_FACTOR * learned) {
            return null;
        }
        return new LoopSignals.Finding(LoopSignals.BASELINE, new LoopSignals.Evidence(LoopSignals.BASELINE, 0, 0,
                end - MinuteFigures.WINDOW_MINUTES * 60, end - 1, prompt, LoopSignals.nightOrWeekend(end - 1, t.zone()),
                w.costUsd(), w.costUsd(), w.requests(), usual));
    }

    /** A ceiling crossed by what this replica holds of the 15 minutes to minute {@code m}, or null. */
    private static LoopSignals.Finding ceiling(SessionFigures f, long m, RunawayDetector.Thresholds t) {
        MinuteFigures.Peak w = f.minutes.sum(m - (MinuteFigures.WINDOW_MINUTES - 1), m);
        String pattern = w.costUsd() >= t.costUsd().doubleValue() - 1e-9
                ? "cost"
                : w.requests() >= t.requests() ? "requests" : null;
        if (pattern == null) {
            return null;
        }
        long end = (m + 1) * 60;
        LoopSignals l = f.loop;
        long prompt = l.promptBefore(end);
        long since = end - MinuteFigures.WINDOW_MINUTES * 60;
        return new LoopSignals.Finding(pattern, new LoopSignals.Evidence(pattern, 0, 0, since, end - 1, prompt,
                LoopSignals.nightOrWeekend(end - 1, t.zone()), w.costUsd(), w.costUsd(), w.requests()));
    }

    private void raise(SessionFigures f, LoopSignals.Finding found, RunawayDetector.Thresholds t, String tool,
            String model) {
        LoopSignals.Evidence e = found.evidence();
        long last = Math.floorDiv(e.until(), 60);
        MinuteFigures.Peak total = f.minutes.sum(Long.MIN_VALUE / 2, last);
        RunawayDetector.Reading r = new RunawayDetector.Reading(f.key.memberId(), f.key.sessionKey(), f.teamKey,
                java.math.BigDecimal.valueOf(e.cost15()).setScale(8, java.math.RoundingMode.HALF_UP), e.requests15(),
                java.math.BigDecimal.valueOf(total.costUsd()).setScale(8, java.math.RoundingMode.HALF_UP),
                total.requests(), Instant.ofEpochSecond(f.minutes.minute(0) * 60), Instant.ofEpochSecond(last * 60));
        try {
            runaway.onRunaway(r, found.pattern(), false, t, false, e, tool, model);
            f.loop.alertedAt = Instant.now();
        } catch (RuntimeException ex) {
            LOG.error("Raising a runaway alert failed; the session is checked again with its next usage", ex);
            return;
        }
        if (!f.shared()) {
            try {
                shared.share(List.of(f));
            } catch (RuntimeException ex) {
                LOG.warn("Sharing an alerted session failed; its alert's figures are kept current once it is", ex);
                return;
            }
        }
        touched.add(f);
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
            checkLoops();
            checked = new ArrayList<>(touched);
            touched.clear();
            shared.shareSuspects(checked, replicas.live());
            shared.writeAndCheck(checked, touched::add);
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

    /**
     * Every {@link ReplicaRegistry#HEARTBEAT}: says this replica is alive and counts the live ones, takes
     * up sessions other replicas shared, and forgets usage older than the live window.
     */
    private void heartbeat() {
        try {
            Instant now = Instant.now();
            Instant dbNow = replicas.heartbeat();
            for (SessionFigures.Key key : shared.poll(dbNow, now)) {
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
            LOG.warn("Watcher heartbeat failed; trying again in " + ReplicaRegistry.HEARTBEAT.toSeconds() + " s", e);
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
                shared.stillInUse(f.key, now);
            }
        }
        shared.forgetOld(now);
        if (memberOfUser.size() > 200_000) {
            memberOfUser.clear(); // learned again from the next usage of each person
        }
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
     * On a graceful stop (a deploy, a scale-down; in-flight ingest has finished, see
     * {@code quarkus.shutdown.timeout}): hands over what could still matter ({@link HandOver}).
     */
    private int handOverOnStop() {
        collect();
        return handOver.handOver(sessions.values(), replicas.live());
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        try {
            if (alertSettings.enabled()) {
                var handing = worker.submit(this::handOverOnStop);
                try {
                    int n = handing.get(HandOver.HAND_OVER_TIME.toMillis(), TimeUnit.MILLISECONDS);
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
                replicas.signOff();
            }
        }
    }
}
