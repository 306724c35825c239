package dev.yardstick.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * How an {@link OutboxWorker} claims due messages: with {@code FOR UPDATE SKIP LOCKED}, under a lease, a few
 * ({@value #BATCH}) at a time, each paced message only with its channel's slot in {@code outbox_pace}, which the
 * worker gives back after the send ({@link #releaseSlot}).
 */
@ApplicationScoped
class OutboxClaims {

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

    /** A claimed message: {@code inDoubtSince} is when an earlier attempt, still in flight, was claimed. */
    record Row(long id, Outgoing outgoing, int attempts, java.time.Instant inDoubtSince) {
    }

    /** What one claim took: its rows and the claim's time, which fences them (a new claim changes it). */
    record Claim(List<Row> rows, boolean heldBack, OffsetDateTime claimedAt) {
    }

    /**
     * Claims due messages in one transaction; the updates of one message go one after the other, in the order they
     * were queued, so a later version is never overwritten by an earlier one. Their dedupe keys go into
     * {@code sending} inside that transaction, before it commits (and out again if the claim fails), so whoever sees
     * the claim sees them sending.
     */
    Claim claim(Set<String> sending) {
        List<Row> claimed = new ArrayList<>();
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = dataSource.getConnection()) {
                    Map<Long, String> candidates = new LinkedHashMap<>();
                    try (PreparedStatement ps = c.prepareStatement("""
                            select id, platform, operation, workspace, target from outbox_message m
                            where status = 'pending' and next_attempt_at <= now()
                              and not (operation = 'UPDATE' and exists (
                                  select 1 from outbox_message o where o.status = 'pending'
                                  and o.operation = 'UPDATE' and o.update_of = m.update_of
                                  and o.platform = m.platform and o.id < m.id))
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
    String paceKey(String platform, Outgoing.Operation op, String workspace, String target) {
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

    /**
     * Gives a channel's slot back after sending: the next message may go {@code after} from now (the
     * pace, or the platform's {@code Retry-After} when it rate-limited us).
     */
    void releaseSlot(String paceKey, Duration after) {
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "update outbox_pace set next_allowed_at = now() + make_interval(secs => ?) where pace_key = ?")) {
                ps.setObject(1, after.toMillis() / 1000.0);
                ps.setObject(2, paceKey);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    ChatTransport transport(String platform) {
        for (ChatTransport t : transports) {
            if (t.platform().equals(platform)) {
                return t;
            }
        }
        return null;
    }
}
