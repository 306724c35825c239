package dev.yardstick.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The one delivery path of every outbound chat message.
 *
 * <p>{@link #enqueue} writes the message in the caller's transaction, keyed by its dedupe key and
 * platform, so a message is queued exactly once and only if the change that caused it commits.
 * Workers on every replica then claim due messages with {@code FOR UPDATE SKIP LOCKED} under a
 * lease, so no two replicas send the same message at once.
 *
 * <ul>
 * <li><b>Pacing.</b> At most one message per channel (or person) per the platform's
 * {@link ChatTransport#pace()}, across replicas: a worker claims a message only after taking its
 * channel's slot in {@code outbox_pace}, holds the slot while it sends, and gives it back for the
 * next message one pace (or, after a 429, one {@code Retry-After}) after the send.
 * <li><b>Retries.</b> Rate limits wait the platform's {@code Retry-After} without using up an
 * attempt; other errors back off exponentially up to {@value #MAX_ATTEMPTS} attempts.
 * <li><b>Leases.</b> A worker claims a few messages ({@value #BATCH}) under a lease
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
 */
@ApplicationScoped
public class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);
    static final int MAX_ATTEMPTS = 8;
    /** Due messages looked at per claim (so one busy channel does not hide the others). */
    private static final int CANDIDATES = 200;
    /** Messages one worker claims at once (their lease is renewed while it holds them). */
    static final int BATCH = 2;

    @Inject
    OutboxConfig outboxSettings;
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
    private final Map<String, Long> backlog = new ConcurrentHashMap<>();
    private volatile long backlogReadAt;

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
        registry.counter("yardstick.outbox.messages", "platform", NOWHERE, "kind", kind(dedupeKey), "result",
                "undeliverable").increment();
    }

    /** Dedupe keys of the messages this replica's workers have claimed and not yet finished with. */
    private final Set<String> sending = ConcurrentHashMap.newKeySet();

    /** Whether a worker of this replica holds the message {@code key} or one of its children. */
    public boolean sending(MessageKey key) {
        return sending.stream().anyMatch(k -> MessageKey.parse(k).within(key));
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
    public int drain() {
        int total = 0;
        Claim claim;
        do {
            claim = claim();
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

    private record Row(long id, Outgoing outgoing, int attempts, java.time.Instant inDoubtSince) {
    }

    /** What one claim took: its rows and the claim's time, which fences them (a new claim changes it). */
    private record Claim(List<Row> rows, boolean heldBack, OffsetDateTime claimedAt) {
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

    private Claim claim() {
        List<Row> claimed = new ArrayList<>();
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = dataSource.getConnection()) {
                    Map<Long, String> candidates = new LinkedHashMap<>();
                    try (PreparedStatement ps = c.prepareStatement("""
                            select id, platform, operation, workspace, target from outbox_message
                            where status = 'pending' and next_attempt_at <= now()
                            order by id limit ? for update skip locked
                            """)) {
                        ps.setInt(1, CANDIDATES);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                candidates.put(rs.getLong(1), paceKey(rs.getString(2),
                                        Outgoing.Operation.valueOf(rs.getString(3)), rs.getString(4), rs.getString(5)));
                            }
                        }
                    }
                    List<Long> ids = new ArrayList<>();
                    Map<String, Long> firstPerChannel = new LinkedHashMap<>();
                    Set<String> free = freeSlots(c, candidates.values());
                    boolean heldBack = false;
                    for (var e : candidates.entrySet()) {
                        if (ids.size() + firstPerChannel.size() >= BATCH) {
                            heldBack = true;
                            break;
                        }
                        if (e.getValue() == null) {
                            ids.add(e.getKey());
                        } else if (!free.contains(e.getValue())
                                || firstPerChannel.putIfAbsent(e.getValue(), e.getKey()) != null) {
                            heldBack = true;
                        }
                    }
                    Set<String> granted = takeSlots(c, firstPerChannel.keySet());
                    for (var e : firstPerChannel.entrySet()) {
                        if (granted.contains(e.getKey())) {
                            ids.add(e.getValue());
                        } else {
                            heldBack = true;
                        }
                    }
                    if (ids.isEmpty()) {
                        return new Claim(List.of(), heldBack, null);
                    }
                    OffsetDateTime[] claimedAt = new OffsetDateTime[1];
                    List<Row> rows = markClaimed(c, ids, claimedAt);
                    // known as this replica's before the claim commits, so whoever sees the claim sees them sending
                    rows.forEach(r -> sending.add(r.outgoing().dedupeKey()));
                    claimed.addAll(rows);
                    return new Claim(rows, heldBack, claimedAt[0]);
                }
            });
        } catch (RuntimeException e) {
            claimed.forEach(r -> sending.remove(r.outgoing().dedupeKey()));
            throw e;
        }
    }

    /**
     * The pacing key of a message, or null when it is not paced: only new posts and uploads are (the
     * platforms' per-channel limit); updates, private replies and home views go at once.
     */
    private String paceKey(String platform, Outgoing.Operation op, String workspace, String target) {
        if (op != Outgoing.Operation.POST && op != Outgoing.Operation.UPLOAD) {
            return null;
        }
        ChatTransport t = transport(platform);
        if (t == null || t.pace().isZero()) {
            return null;
        }
        return platform + "|" + (workspace == null ? "" : workspace) + "|" + target;
    }

    /**
     * The pacing keys among these whose channel's slot is free now (so a claim skips channels that are
     * busy, such as one whose post is still being sent, instead of stopping at them).
     */
    private Set<String> freeSlots(Connection c, java.util.Collection<String> keys) throws SQLException {
        Set<String> distinct = new HashSet<>(keys);
        distinct.remove(null);
        if (distinct.isEmpty()) {
            return Set.of();
        }
        Set<String> free = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select k from unnest(?::text[]) as x(k)
                where not exists (select 1 from outbox_pace p where p.pace_key = x.k and p.next_allowed_at > now())
                """)) {
            ps.setArray(1, c.createArrayOf("text", distinct.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    free.add(rs.getString(1));
                }
            }
        }
        return free;
    }

    /**
     * Takes the slot of each channel whose slot is free, for as long as the lease (the worker releases
     * it when it has sent, see {@link #releaseSlot}); returns the keys taken.
     */
    private Set<String> takeSlots(Connection c, Set<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return Set.of();
        }
        Set<String> granted = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("""
                insert into outbox_pace (pace_key, next_allowed_at)
                select k, now() + make_interval(secs => ?) from unnest(?::text[]) as x(k)
                on conflict (pace_key) do update set next_allowed_at = excluded.next_allowed_at
                where outbox_pace.next_allowed_at <= now()
                returning pace_key
                """)) {
            ps.setDouble(1, outboxSettings.lease().toMillis() / 1000.0);
            ps.setArray(2, c.createArrayOf("text", keys.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    granted.add(rs.getString(1));
                }
            }
        }
        return granted;
    }

    private List<Row> markClaimed(Connection c, List<Long> ids, OffsetDateTime[] claimedAt) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                with before as (select id, in_flight, claimed_at from outbox_message where id = any(?))
                update outbox_message m set attempts = m.attempts + 1, in_flight = true, claimed_at = now(),
                    next_attempt_at = now() + make_interval(secs => ?)
                from before where m.id = before.id
                returning m.id, m.dedupe_key, m.platform, m.operation, m.workspace, m.target, m.update_of, m.body,
                    m.attempts, before.in_flight, before.claimed_at, m.claimed_at
                """)) {
            ps.setArray(1, c.createArrayOf("int8", ids.toArray()));
            ps.setDouble(2, outboxSettings.lease().toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ChatMessage msg = mapper.readValue(rs.getString(8), ChatMessage.class);
                    Timestamp inDoubt = rs.getBoolean(10) ? rs.getTimestamp(11) : null;
                    claimedAt[0] = rs.getObject(12, OffsetDateTime.class);
                    rows.add(new Row(rs.getLong(1), new Outgoing(rs.getString(2), rs.getString(3),
                            Outgoing.Operation.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6),
                            rs.getString(7), msg), rs.getInt(9), inDoubt == null ? null : inDoubt.toInstant()));
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        rows.sort((a, b) -> Long.compare(a.id(), b.id()));
        return rows;
    }

    private void deliver(Row row, Held held) {
        Outgoing m = row.outgoing();
        ChatTransport transport = transport(m.platform());
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
        String paceKey = paceKey(m.platform(), m.operation(), m.workspace(), m.target());
        if (paceKey != null) {
            releaseSlot(paceKey, result instanceof ChatTransport.RetryAfter wait && wait.delay().compareTo(
                    transport.pace()) > 0 ? wait.delay() : transport.pace());
        }
        if (result instanceof ChatTransport.Sent sent) {
            finish(row, "sent", sent, null);
            count(m, "sent");
        } else if (result instanceof ChatTransport.RetryAfter wait) {
            retry(row, wait.delay(), "rate limited", true, false);
            count(m, "rate_limited");
        } else if (result instanceof ChatTransport.Failed failed) {
            if (failed.permanent() || row.attempts() >= MAX_ATTEMPTS) {
                finish(row, "failed", null, failed.error());
                count(m, "failed");
                LOG.warnf("Outbox message %d (%s) failed for good: %s", row.id(), m.dedupeKey(), failed.error());
            } else {
                retry(row, Duration.ofSeconds(1L << Math.min(row.attempts(), 10)), failed.error(), false,
                        failed.inDoubt());
                count(m, "retried");
            }
        }
    }

    private void count(Outgoing m, String result) {
        registry.counter("yardstick.outbox.messages", "platform", m.platform(), "kind", kind(m.dedupeKey()),
                "result", result).increment();
    }

    /** The kind of a message: the first part of its dedupe key ({@code digest}, {@code budget-request}, ...). */
    static String kind(String dedupeKey) {
        return MessageKey.parse(dedupeKey).kind();
    }

    private ChatTransport transport(String platform) {
        for (ChatTransport t : transports) {
            if (t.platform().equals(platform)) {
                return t;
            }
        }
        return null;
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
     * Gives a channel's slot back after sending: the next message may go {@code after} from now (the
     * pace, or the platform's {@code Retry-After} when it rate-limited us).
     */
    private void releaseSlot(String paceKey, Duration after) {
        Map<Integer, Object> p = new HashMap<>();
        p.put(1, after.toMillis() / 1000.0);
        p.put(2, paceKey);
        update("update outbox_pace set next_allowed_at = now() + make_interval(secs => ?) where pace_key = ?", p);
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

    /**
     * Gauges of what is not delivered: {@code yardstick_outbox_backlog{kind,status}} with status
     * {@code pending} or {@code failed}, read from the database at most every 10 seconds.
     */
    void gauges(@Observes StartupEvent event) {
        for (String kind : List.of("digest", "budget-request", "alert", "respond", "home")) {
            for (String status : List.of("pending", "failed")) {
                Gauge.builder("yardstick.outbox.backlog", this, o -> o.backlog(kind, status))
                        .description("Outbox messages not delivered yet (pending) or given up on (failed)")
                        .tags("kind", kind, "status", status).register(registry);
            }
        }
    }

    private double backlog(String kind, String status) {
        long now = System.currentTimeMillis();
        if (now - backlogReadAt > 10_000) {
            backlogReadAt = now;
            Map<String, Long> fresh = new HashMap<>();
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                    select split_part(dedupe_key, ':', 1), status, count(*) from outbox_message
                    where status <> 'sent' group by 1, 2
                    """); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fresh.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3));
                }
                backlog.clear();
                backlog.putAll(fresh);
            } catch (SQLException e) {
                LOG.debug("Outbox backlog gauge not refreshed", e);
            }
        }
        return backlog.getOrDefault(kind + "|" + status, 0L);
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
