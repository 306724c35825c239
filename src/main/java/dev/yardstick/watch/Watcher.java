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
