package dev.yardstick.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.yardstick.common.AfterCommit;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The one delivery path of every outbound chat message.
 *
 * <p>{@link #enqueue} writes the message in the caller's transaction, keyed by its dedupe key and
 * platform, so a message is queued exactly once and only if the change that caused it commits.
 * Workers on every replica ({@link OutboxWorker}) then claim due messages with {@code FOR UPDATE SKIP LOCKED}
 * under a lease ({@link OutboxClaims}), so no two replicas send the same message at once.
 *
 * <ul>
 * <li><b>Pacing.</b> At most one message per channel (or person) per the platform's
 * {@link ChatTransport#pace()}, across replicas: a worker claims a message only after taking its
 * channel's slot in {@code outbox_pace}, holds the slot while it sends, and gives it back for the
 * next message one pace (or, after a 429, one {@code Retry-After}) after the send.
 * <li><b>Retries.</b> Rate limits wait the platform's {@code Retry-After} without using up an
 * attempt; other errors back off exponentially up to {@value OutboxWorker#MAX_ATTEMPTS} attempts.
 * <li><b>Leases.</b> A worker claims a few messages ({@value OutboxClaims#BATCH}) under a lease
 * ({@code YARDSTICK_OUTBOX_LEASE}), renews it every third of the lease while it holds them, and
 * renews it once more (checking the claim is still its own) right before sending each: a message
 * queued behind a slow send on a live replica is never taken over, and one that was taken over is
 * not sent by both. Each replica runs {@code YARDSTICK_OUTBOX_WORKERS} workers.
 * <li><b>Sends in doubt.</b> A claimed message is {@code in_flight} until its result is known. When
 * it is claimed again while still in flight (its worker died mid-send, or the platform call timed
 * out, lost its connection or answered a server error), the transport is told the earlier attempt is
 * in doubt and looks for the message on the platform before sending it again: neither a duplicate
 * nor a loss. Transports never retry a send on their own.
 * </ul>
 *
 * This class is what features call: queueing and reading deliveries; {@link OutboxMetrics} keeps the metrics.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper mapper;
    @Inject
    TransactionSynchronizationRegistry transactions;
    @Inject
    OutboxWorker worker;
    @Inject
    OutboxMetrics metrics;

    /**
     * Queues a message in the current transaction (one is started if none is active). Returns
     * {@code false} when a message with the same dedupe key was queued on that platform before.
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
                    values (?, ?, ?, ?, ?, ?, ?) on conflict (dedupe_key, platform) do nothing
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
            AfterCommit.run(transactions, this::kick);
        } else if (added) {
            kick();
        }
        return added;
    }

    /** The platform name of messages that had nowhere to go (see {@link #undeliverable}). */
    public static final String NOWHERE = "none";

    /**
     * Records a logical message that has nowhere to go (no channel, nobody reachable) as failed, so
     * the failure is visible where deliveries are listed. Does nothing if the key was queued before.
     */
    public void undeliverable(MessageKey key, String why) {
        String dedupeKey = key.value();
        QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    insert into outbox_message (dedupe_key, platform, operation, target, body, status, last_error)
                    select ?, ?, 'POST', '-', '{"text":"","blocks":[]}', 'failed', ?
                    where not exists (select 1 from outbox_message where dedupe_key = ?)
                    """)) {
                ps.setString(1, dedupeKey);
                ps.setString(2, NOWHERE);
                ps.setString(3, why);
                ps.setString(4, dedupeKey);
                return ps.executeUpdate();
            }
        });
        metrics.count(NOWHERE, dedupeKey, "undeliverable");
    }

    /** Whether a worker of this replica holds the message {@code key} or one of its children. */
    public boolean sending(MessageKey key) {
        return worker.sending(key);
    }

    /**
     * What became of one queued message, on one platform.
     *
     */
    public record Delivery(MessageKey key, String platform, String status, int attempts, String lastError) {

        /** Whether it is still waiting for its first attempt (for its channel's slot, say). */
        public boolean untried() {
            return "pending".equals(status) && attempts == 0 && lastError == null;
        }
    }

    /**
     * The deliveries of the message {@code key} and its children (copies to managers, charts), oldest first.
     */
    public List<Delivery> deliveries(MessageKey key) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    select dedupe_key, platform, status, attempts, last_error from outbox_message
                    where dedupe_key = ? or starts_with(dedupe_key, ?) order by id
                    """)) {
                ps.setString(1, key.value());
                ps.setString(2, key.value() + ":");
                List<Delivery> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Delivery(MessageKey.parse(rs.getString(1)), rs.getString(2), rs.getString(3),
                                rs.getInt(4),
                                rs.getString(5)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Gives failed messages with these dedupe keys a fresh set of attempts, and forgets the ones
     * that had nowhere to go (so they can be queued anew). Returns how many rows changed.
     */
    public int reopenFailed(List<String> dedupeKeys) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement forget = c.prepareStatement(
                            "delete from outbox_message where dedupe_key = any(?) and platform = ?");
                    PreparedStatement reopen = c.prepareStatement("""
                            update outbox_message set status = 'pending', attempts = 0, next_attempt_at = now(),
                                in_flight = false
                            where dedupe_key = any(?) and status = 'failed'
                            """)) {
                forget.setArray(1, c.createArrayOf("text", dedupeKeys.toArray()));
                forget.setString(2, NOWHERE);
                reopen.setArray(1, c.createArrayOf("text", dedupeKeys.toArray()));
                return forget.executeUpdate() + reopen.executeUpdate();
            }
        });
    }

    /** Asks the worker to run now, without waiting for its schedule. */
    public void kick() {
        worker.kick();
    }

    /**
     * Delivers every due message this worker can claim, on the caller's thread; returns how many were
     * handled. Several workers (and replicas) may drain at once: each message goes to one of them.
     */
    public int drain() {
        return worker.drain();
    }
}
