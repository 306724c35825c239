package dev.yardstick.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The one delivery path of every outbound chat message.
 *
 * <p>{@link #enqueue} writes the message in the caller's transaction, keyed by its dedupe key, so
 * a message is queued exactly once and only if the change that caused it commits. A worker then
 * claims due messages with {@code FOR UPDATE SKIP LOCKED} and a lease, so several replicas on one
 * database never send the same message twice at once; a replica that dies mid-send leaves the
 * message to be picked up when its lease expires. Rate limits (429) wait the platform's
 * {@code Retry-After}; other errors back off exponentially up to {@value #MAX_ATTEMPTS} attempts.
 */
@ApplicationScoped
public class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);
    static final int MAX_ATTEMPTS = 8;
    private static final int BATCH = 20;
    private static final Duration LEASE = Duration.ofMinutes(2);

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper mapper;
    @Inject
    Instance<ChatTransport> transports;
    @Inject
    MeterRegistry registry;
    @Inject
    TransactionSynchronizationRegistry transactions;

    private final ExecutorService kicker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "outbox-kick");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean kickPending = new AtomicBoolean();

    /**
     * Queues a message in the current transaction (one is started if none is active). Returns
     * {@code false} when a message with the same dedupe key was queued before.
     */
    public boolean enqueue(Outgoing m) {
        String body;
        try {
            body = mapper.writeValueAsString(m.message());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        boolean inTransaction = transactions.getTransactionStatus() == Status.STATUS_ACTIVE;
        boolean added = QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    insert into outbox_message (dedupe_key, platform, operation, workspace, target, update_of, body)
                    values (?, ?, ?, ?, ?, ?, ?) on conflict (dedupe_key) do nothing
                    """)) {
                ps.setString(1, m.dedupeKey());
                ps.setString(2, m.platform());
                ps.setString(3, m.operation().name());
                ps.setString(4, m.workspace());
                ps.setString(5, m.target());
                ps.setString(6, m.updateOf());
                ps.setString(7, body);
                return ps.executeUpdate() == 1;
            }
        });
        if (added && inTransaction) {
            transactions.registerInterposedSynchronization(new Synchronization() {

                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        kick();
                    }
                }
            });
        } else if (added) {
            kick();
        }
        return added;
    }

    /** Asks the worker to run soon, without waiting for its schedule. */
    public void kick() {
        if (kickPending.compareAndSet(false, true)) {
            kicker.submit(() -> {
                kickPending.set(false);
                try {
                    drain();
                } catch (RuntimeException e) {
                    LOG.warn("Outbox delivery failed; the scheduled run will retry", e);
                }
            });
        }
    }

    @Scheduled(every = "${yardstick.jobs.outbox-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        drain();
    }

    /** Delivers every due message; returns how many were handled. */
    public synchronized int drain() {
        int total = 0;
        List<Row> rows;
        do {
            rows = claim();
            for (Row row : rows) {
                deliver(row);
            }
            total += rows.size();
        } while (rows.size() == BATCH);
        return total;
    }

    private record Row(long id, Outgoing outgoing, int attempts) {
    }

    private List<Row> claim() {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Row> rows = new ArrayList<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    update outbox_message set attempts = attempts + 1,
                        next_attempt_at = now() + make_interval(secs => ?)
                    where id in (select id from outbox_message
                                 where status = 'pending' and next_attempt_at <= now()
                                 order by id limit ? for update skip locked)
                    returning id, dedupe_key, platform, operation, workspace, target, update_of, body, attempts
                    """)) {
                ps.setLong(1, LEASE.toSeconds());
                ps.setInt(2, BATCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ChatMessage msg = mapper.readValue(rs.getString(8), ChatMessage.class);
                        rows.add(new Row(rs.getLong(1), new Outgoing(rs.getString(2), rs.getString(3),
                                Outgoing.Operation.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6),
                                rs.getString(7), msg), rs.getInt(9)));
                    }
                }
            }
            rows.sort((a, b) -> Long.compare(a.id(), b.id()));
            return rows;
        });
    }

    private void deliver(Row row) {
        Outgoing m = row.outgoing();
        ChatTransport transport = transport(m.platform());
        if (transport == null) {
            finish(row.id(), "failed", null, "no transport configured for " + m.platform());
            return;
        }
        ChatTransport.Sent previous = null;
        if (m.operation() == Outgoing.Operation.UPDATE) {
            previous = sentAs(m.updateOf());
            if (previous == null) {
                retry(row, Duration.ofSeconds(2), "the message to update is not sent yet", false);
                return;
            }
        }
        ChatTransport.Result result;
        try {
            result = transport.deliver(m, previous);
        } catch (RuntimeException e) {
            LOG.warnf("Delivery of outbox message %d failed: %s", row.id(), e.toString());
            result = new ChatTransport.Failed(e.getClass().getSimpleName(), false);
        }
        if (result instanceof ChatTransport.Sent sent) {
            finish(row.id(), "sent", sent, null);
            registry.counter("yardstick.outbox.messages", "platform", m.platform(), "result", "sent").increment();
        } else if (result instanceof ChatTransport.RetryAfter wait) {
            retry(row, wait.delay(), "rate limited", true);
            registry.counter("yardstick.outbox.messages", "platform", m.platform(), "result", "rate_limited")
                    .increment();
        } else if (result instanceof ChatTransport.Failed failed) {
            if (failed.permanent() || row.attempts() >= MAX_ATTEMPTS) {
                finish(row.id(), "failed", null, failed.error());
                registry.counter("yardstick.outbox.messages", "platform", m.platform(), "result", "failed")
                        .increment();
                LOG.warnf("Outbox message %d (%s) failed for good: %s", row.id(), m.dedupeKey(), failed.error());
            } else {
                retry(row, Duration.ofSeconds(1L << Math.min(row.attempts(), 10)), failed.error(), false);
            }
        }
    }

    private ChatTransport transport(String platform) {
        for (ChatTransport t : transports) {
            if (t.platform().equals(platform)) {
                return t;
            }
        }
        return null;
    }

    private ChatTransport.Sent sentAs(String dedupeKey) {
        return QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "select external_id, external_channel from outbox_message where dedupe_key = ? and status = 'sent'")) {
                ps.setString(1, dedupeKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new ChatTransport.Sent(rs.getString(1), rs.getString(2)) : null;
                }
            }
        });
    }

    private void retry(Row row, Duration delay, String error, boolean refundAttempt) {
        Map<Integer, Object> p = new HashMap<>();
        p.put(1, delay.toMillis() / 1000.0);
        p.put(2, error);
        p.put(3, refundAttempt ? 1 : 0);
        p.put(4, row.id());
        update("""
                update outbox_message set next_attempt_at = now() + make_interval(secs => ?), last_error = ?,
                    attempts = attempts - ? where id = ?
                """, p);
    }

    private void finish(long id, String status, ChatTransport.Sent sent, String error) {
        Map<Integer, Object> p = new HashMap<>();
        p.put(1, status);
        p.put(2, sent == null ? null : sent.id());
        p.put(3, sent == null ? null : sent.channel());
        p.put(4, error);
        p.put(5, status);
        p.put(6, id);
        update("""
                update outbox_message set status = ?, external_id = ?, external_channel = ?, last_error = ?,
                    sent_at = case when ?::text = 'sent' then now() end
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
}
