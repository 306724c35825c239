package dev.yardstick.chat;

import dev.yardstick.chat.OutboxClaims.Claim;
import dev.yardstick.chat.OutboxClaims.Row;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The outbox's workers on this replica ({@code YARDSTICK_OUTBOX_WORKERS}): each claims due messages
 * ({@link OutboxClaims}), renews their lease while it holds them, delivers them through their platform's
 * {@link ChatTransport} (telling it when an earlier attempt is in doubt), and records the result: sent, a
 * retry (after the platform's {@code Retry-After}, or backing off up to {@value #MAX_ATTEMPTS} attempts),
 * or failed. See {@link Outbox}.
 */
@ApplicationScoped
class OutboxWorker {

    private static final Logger LOG = Logger.getLogger(OutboxWorker.class);
    static final int MAX_ATTEMPTS = 8;

    @Inject
    OutboxConfig outboxSettings;
    @Inject
    DataSource dataSource;
    @Inject
    OutboxClaims claims;
    @Inject
    OutboxMetrics metrics;

    private final ScheduledExecutorService kicker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "outbox-kick");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService leases = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "outbox-lease");
        t.setDaemon(true);
        return t;
    });
    private volatile ExecutorService senders;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean kickPending = new AtomicBoolean();
    private final AtomicBoolean laterPending = new AtomicBoolean();

    /** Dedupe keys of the messages this replica's workers have claimed and not yet finished with. */
    private final Set<String> sending = ConcurrentHashMap.newKeySet();

    /** Whether a worker of this replica holds the message {@code key} or one of its children. */
    boolean sending(MessageKey key) {
        return sending.stream().anyMatch(k -> MessageKey.parse(k).within(key));
    }

    /** Asks the worker to run now, without waiting for its schedule. */
    void kick() {
        kick(kickPending, Duration.ZERO);
    }

    /** Asks the worker to run again after a delay (messages held back for their channel's next slot). */
    private void kickLater(Duration delay) {
        kick(laterPending, delay);
    }

    private void kick(AtomicBoolean pending, Duration delay) {
        if (pending.compareAndSet(false, true)) {
            kicker.schedule(() -> {
                pending.set(false);
                startWorkers();
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Scheduled(every = "${yardstick.jobs.outbox-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        startWorkers();
    }

    /** Starts workers until {@code YARDSTICK_OUTBOX_WORKERS} run; each drains what it can claim. */
    private void startWorkers() {
        ExecutorService pool = senders();
        int n;
        while ((n = running.get()) < outboxSettings.workers()) {
            if (running.compareAndSet(n, n + 1)) {
                try {
                    pool.execute(() -> {
                        try {
                            drain();
                        } catch (RuntimeException e) {
                            LOG.warn("Outbox delivery failed; the scheduled run will retry", e);
                        } finally {
                            running.decrementAndGet();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    running.decrementAndGet();
                    return;
                }
            }
        }
    }

    private ExecutorService senders() {
        if (senders == null) {
            synchronized (this) {
                if (senders == null) {
                    AtomicInteger n = new AtomicInteger();
                    senders = Executors.newFixedThreadPool(Math.max(1, outboxSettings.workers()), r -> {
                        Thread t = new Thread(r, "outbox-worker-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                }
            }
        }
        return senders;
    }

    /**
     * Delivers every due message this worker can claim, on the caller's thread; returns how many were
     * handled. Several workers (and replicas) may drain at once: each message goes to one of them.
     */
    int drain() {
        int total = 0;
        Claim claim;
        do {
            claim = claims.claim(sending);
            if (claim.rows().isEmpty()) {
                break;
            }
            Held held = new Held(claim);
            long every = Math.max(200, outboxSettings.lease().toMillis() / 3);
            ScheduledFuture<?> heartbeat = leases.scheduleWithFixedDelay(held::renewAll, every, every,
                    TimeUnit.MILLISECONDS);
            try {
                for (Row row : claim.rows()) {
                    try {
                        if (held.renew(row)) {
                            deliver(row, held);
                        } else {
                            LOG.infof("Outbox message %d was taken over by another worker while it waited; "
                                    + "not sending it", row.id());
                        }
                    } finally {
                        sending.remove(row.outgoing().dedupeKey());
                    }
                }
            } finally {
                heartbeat.cancel(false);
                claim.rows().forEach(r -> sending.remove(r.outgoing().dedupeKey()));
            }
            total += claim.rows().size();
        } while (true);
        if (claim.heldBack()) {
            // messages waiting for their channel's next slot
            kickLater(Duration.ofMillis(500));
        }
        return total;
    }

    /**
     * The rows of one claim this worker still holds. Their lease is renewed (a heartbeat, and once
     * more before each send) only while the row is still claimed by this claim; a row's result is
     * recorded under the same lock, so a heartbeat never pushes a recorded retry back.
     */
    private final class Held {

        private final Claim claim;
        private final Set<Long> ids = new HashSet<>();

        Held(Claim claim) {
            this.claim = claim;
            claim.rows().forEach(r -> ids.add(r.id()));
        }

        synchronized void renewAll() {
            if (ids.isEmpty()) {
                return;
            }
            try {
                renew(ids);
            } catch (RuntimeException e) {
                LOG.warnf("Could not renew the lease of outbox messages %s: %s", ids, e.toString());
            }
        }

        /** Renews the row's lease; false when it is no longer this claim's (taken over, or done). */
        synchronized boolean renew(Row row) {
            if (!ids.contains(row.id())) {
                return false;
            }
            if (renew(Set.of(row.id())) == 0) {
                ids.remove(row.id());
                return false;
            }
            return true;
        }

        /** Records a row's result and stops renewing its lease. */
        synchronized void done(Row row, Runnable record) {
            ids.remove(row.id());
            record.run();
        }

        private int renew(Set<Long> rows) {
            return QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                        update outbox_message set next_attempt_at = now() + make_interval(secs => ?)
                        where id = any(?) and claimed_at = ? and in_flight and status = 'pending'
                        """)) {
                    ps.setDouble(1, outboxSettings.lease().toMillis() / 1000.0);
                    ps.setArray(2, c.createArrayOf("int8", rows.toArray()));
                    ps.setObject(3, claim.claimedAt());
                    return ps.executeUpdate();
                }
            });
        }
    }

    private void deliver(Row row, Held held) {
        Outgoing m = row.outgoing();
        ChatTransport transport = claims.transport(m.platform());
        if (transport == null) {
            held.done(row, () -> finish(row, "failed", null, "no transport configured for " + m.platform()));
            return;
        }
        ChatTransport.Sent previous = null;
        if (m.operation() == Outgoing.Operation.UPDATE) {
            previous = sentAs(m.updateOf(), m.platform());
            if (previous == null) {
                held.done(row, () -> retry(row, Duration.ofSeconds(2), "the message to update is not sent yet", true,
                        false));
                return;
            }
        }
        if (row.inDoubtSince() != null) {
            LOG.infof("Outbox message %d (%s): an earlier attempt is in doubt; checking %s before sending",
                    row.id(), m.dedupeKey(), m.platform());
        }
        ChatTransport.Result result;
        try {
            result = transport.deliver(m, new ChatTransport.Attempt(previous, row.inDoubtSince()));
        } catch (RuntimeException e) {
            LOG.warnf("Delivery of outbox message %d failed: %s", row.id(), e.toString());
            result = new ChatTransport.Failed(e.getClass().getSimpleName(), false, true);
        }
        ChatTransport.Result outcome = result;
        held.done(row, () -> record(row, transport, outcome));
    }

    private void record(Row row, ChatTransport transport, ChatTransport.Result result) {
        Outgoing m = row.outgoing();
        String paceKey = claims.paceKey(m.platform(), m.operation(), m.workspace(), m.target());
        if (paceKey != null) {
            claims.releaseSlot(paceKey, result instanceof ChatTransport.RetryAfter wait && wait.delay().compareTo(
                    transport.pace()) > 0 ? wait.delay() : transport.pace());
        }
        if (result instanceof ChatTransport.Sent sent) {
            finish(row, "sent", sent, null);
            metrics.count(m, "sent");
        } else if (result instanceof ChatTransport.RetryAfter wait) {
            retry(row, wait.delay(), "rate limited", true, false);
            metrics.count(m, "rate_limited");
        } else if (result instanceof ChatTransport.Failed failed) {
            if (failed.permanent() || row.attempts() >= MAX_ATTEMPTS) {
                finish(row, "failed", null, failed.error());
                metrics.count(m, "failed");
                LOG.warnf("Outbox message %d (%s) failed for good: %s", row.id(), m.dedupeKey(), failed.error());
            } else {
                retry(row, Duration.ofSeconds(1L << Math.min(row.attempts(), 10)), failed.error(), false,
                        failed.inDoubt());
                metrics.count(m, "retried");
            }
        }
    }

    private ChatTransport.Sent sentAs(String dedupeKey, String platform) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    select external_id, external_channel from outbox_message
                    where dedupe_key = ? and platform = ? and status = 'sent'
                    """)) {
                ps.setString(1, dedupeKey);
                ps.setString(2, platform);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new ChatTransport.Sent(rs.getString(1), rs.getString(2)) : null;
                }
            }
        });
    }

    /**
     * Schedules another attempt. A message {@code inDoubt} stays in flight, so the next attempt looks
     * for it on the platform first.
     */
    private void retry(Row row, Duration delay, String error, boolean refundAttempt, boolean inDoubt) {
        Map<Integer, Object> p = new HashMap<>();
        p.put(1, delay.toMillis() / 1000.0);
        p.put(2, error);
        p.put(3, refundAttempt ? 1 : 0);
        p.put(4, inDoubt);
        p.put(5, row.id());
        update("""
                update outbox_message set next_attempt_at = now() + make_interval(secs => ?), last_error = ?,
                    attempts = attempts - ?, in_flight = ? where id = ?
                """, p);
    }

    private void finish(Row row, String status, ChatTransport.Sent sent, String error) {
        Map<Integer, Object> p = new HashMap<>();
        p.put(1, status);
        p.put(2, sent == null ? null : sent.id());
        p.put(3, sent == null ? null : sent.channel());
        p.put(4, error);
        p.put(5, status);
        p.put(6, row.id());
        update("""
                update outbox_message set status = ?, external_id = ?, external_channel = ?, last_error = ?,
                    sent_at = case when ?::text = 'sent' then now() end, in_flight = false
                where id = ?
                """, p);
    }

    private void update(String sql, Map<Integer, Object> params) {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                for (var e : params.entrySet()) {
                    ps.setObject(e.getKey(), e.getValue());
                }
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    void checkLease(@Observes StartupEvent event) {
        Duration lease = outboxSettings.lease();
        Duration send = outboxSettings.sendTimeout();
        if (lease.compareTo(send.multipliedBy(2)) < 0) {
            LOG.warnf("YARDSTICK_OUTBOX_LEASE (%s) is less than twice YARDSTICK_OUTBOX_SEND_TIMEOUT (%s): a replica "
                    + "that cannot renew its lease for a while may see a message it is still sending taken over",
                    lease, send);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        kicker.shutdownNow();
        leases.shutdownNow();
        if (senders != null) {
            senders.shutdownNow();
        }
    }
}
