package dev.yardstick.watch;

import dev.yardstick.YardstickConfig;
import dev.yardstick.ledger.LedgerWriter;
import dev.yardstick.ledger.LiveUsage;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Checks new usage for runaway sessions and budget thresholds shortly after it is committed, on one
 * background thread, so ingest never waits for it. What the ledger reports within {@link #COALESCE_MS}
 * is added up in memory per session and minute, written to {@code usage_session_minute} in one
 * statement, then checked together; a write or check that fails is retried with the next one, and
 * {@link AlertSweepJob} checks everything recent again every minute. (A replica that stops before
 * writing loses at most those few seconds of per-minute figures; the ledger has every event.)
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
    YardstickConfig config;
    @Inject
    RunawayDetector detector;
    @Inject
    Alerts alerts;
    @Inject
    LedgerWriter ledger;

    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-watch");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private final java.util.concurrent.ConcurrentLinkedQueue<LiveUsage> arrived = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private Map<List<Object>, LiveUsage.Session> sessions = new HashMap<>();
    private Map<List<Object>, LiveUsage.Minute> minutes = new HashMap<>();
    private Set<String> teams = new TreeSet<>();
    private boolean scheduled;
    private boolean running;

    void onUsage(@Observes LiveUsage usage) {
        if (!config.alerts().enabled()) {
            return;
        }
        arrived.add(usage); // added up on the watcher's thread, not the ingest request's
        synchronized (lock) {
            if (!scheduled) {
                scheduled = true;
                worker.schedule(this::drain, COALESCE_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Adds up what arrived since the last drain into the pending figures (watcher thread). */
    private void collect() {
        for (LiveUsage usage; (usage = arrived.poll()) != null;) {
            for (LiveUsage.Session s : usage.sessions()) {
                sessions.merge(List.of(s.memberId(), s.sessionKey()), s,
                        (a, b) -> a.from().isBefore(b.from()) ? a : b);
            }
            for (LiveUsage.Minute m : usage.minutes()) {
                minutes.merge(List.of(m.memberId(), m.sessionKey(), m.minute(), m.tool(), m.model()), m,
                        LedgerWriter::plus);
            }
            teams.addAll(usage.teams());
        }
    }

    private void drain() {
        Map<List<Object>, LiveUsage.Session> s;
        Map<List<Object>, LiveUsage.Minute> m;
        Set<String> t;
        synchronized (lock) {
            collect();
            s = sessions;
            m = minutes;
            t = teams;
            sessions = new HashMap<>();
            minutes = new HashMap<>();
            teams = new TreeSet<>();
            scheduled = false;
            running = true;
        }
        try {
            try {
                ledger.addSessionMinutes(m.values());
            } catch (RuntimeException e) {
                LOG.error("Writing per-minute session figures failed; they are kept for the next check", e);
                synchronized (lock) {
                    m.forEach((k, v) -> minutes.merge(k, v, LedgerWriter::plus));
                    s.forEach((k, v) -> sessions.merge(k, v, (x, y) -> x.from().isBefore(y.from()) ? x : y));
                    teams.addAll(t);
                    if (!scheduled) {
                        scheduled = true;
                        worker.schedule(this::drain, COALESCE_MS, TimeUnit.MILLISECONDS);
                    }
                }
                return;
            }
            check(new ArrayList<>(s.values()), t, false);
        } finally {
            synchronized (lock) {
                running = false;
            }
        }
    }

    /** Whether no usage is waiting to be checked and no check is running (tests wait for this). */
    public boolean idle() {
        synchronized (lock) {
            return !scheduled && !running && arrived.isEmpty();
        }
    }

    /**
     * Checks these sessions and teams now, on the caller's thread; {@code refresh}: bring flagged
     * sessions' alert figures up to date now.
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
                alerts.checkBudget(team, now);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Budget check of team %s failed; the sweep will look again", team);
            }
        }
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        worker.shutdown();
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }
}
