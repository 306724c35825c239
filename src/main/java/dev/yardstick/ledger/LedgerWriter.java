package dev.yardstick.ledger;

import dev.yardstick.admin.Roster;
import dev.yardstick.common.Problem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Stores events and keeps the daily rollups up to date, one transaction per batch.
 *
 * <p>Idempotency rests on unique indexes: outcome events are inserted with {@code ON CONFLICT DO NOTHING RETURNING
 * id} on their primary key; usage events' ids are probed in {@code usage_event_id} (their hash, unique per month) and
 * the new ones COPYed in. Only the rows actually inserted are added to the rollups. Two clients sending the same id at
 * the same moment are serialised by PostgreSQL's unique index: the later one counts a duplicate (for usage, its
 * batch fails on the index and runs again). Each batch adds to one of
 * {@value UsageRollups#SHARDS} rollup rows per key, picked at random, so concurrent batches rarely wait for
 * each other's row locks (readers sum the shards). Rows and rollup keys are
 * written in sorted order so concurrent batches take locks in the same order; a deadlock or
 * serialisation failure is retried.
 *
 * <p>Voids ({@link #voidUsage}, {@link #voidOutcomes}) mark events instead of deleting them, so that their ids stay
 * taken, and subtract them from the rollups in the same way.
 *
 * <p>This is the ledger's way in; the work is done by {@code UsageWriter} (usage batches, retractions and voids),
 * {@code OutcomeWriter}, {@code MemberResolution} (teams and members of a batch), {@code UsageRollups} and
 * {@code ActiveMembers} (the rollups, with typed keys) and {@link BatchSql}.
 */
@ApplicationScoped
public class LedgerWriter {

    private static final Logger LOG = Logger.getLogger(LedgerWriter.class);

    /** An event with its position in the caller's batch. */
    public record Indexed<T>(int index, T event) {
    }

    /**
     * Work done in a usage batch's transaction, on its connection, before the events are stored:
     * it returns the events to store. It may run more than once (a deadlock retries the batch).
     */
    @FunctionalInterface
    public interface Prelude {

        List<Indexed<UsageRecord>> apply(Connection c, List<Indexed<UsageRecord>> events) throws SQLException;
    }

    @Inject
    DataSource dataSource;
    @Inject
    UsageWriter usage;
    @Inject
    Roster roster;
    @Inject
    jakarta.enterprise.event.Event<LiveUsage> liveUsage;
    @Inject
    Instance<VoidListener> voidListeners;
    @Inject
    UsagePartitions partitions;

    /** Stores usage events; see the class comment for the guarantees. */
    public WriteResult writeUsage(List<Indexed<UsageRecord>> events) {
        LiveUsage[] live = new LiveUsage[1];
        WriteResult result = partitions.withPartitions(() -> BatchSql
                .withRetry(attempt -> QuarkusTransaction.requiringNew().call(() -> usage(events, live, attempt))));
        if (live[0] != null) {
            liveUsage.fire(live[0]);
        }
        return result;
    }

    /**
     * Stores usage events after {@code prelude} has run in the same transaction; same guarantees as
     * {@link #writeUsage(List)}.
     */
    public WriteResult writeUsage(List<Indexed<UsageRecord>> events, Prelude prelude) {
        return writeUsage(events, prelude, true);
    }

    /**
     * Stores usage events after {@code prelude}, as {@link #writeUsage(List, Prelude)}. Without
     * {@code exactTime} the events stay out of runaway detection: daily totals pulled from vendors,
     * whose time is not when the tokens were spent.
     */
    public WriteResult writeUsage(List<Indexed<UsageRecord>> events, Prelude prelude, boolean exactTime) {
        return writeUsage(events, prelude, exactTime, List.of());
    }

    /**
     * Stores usage events after {@code prelude}, as {@link #writeUsage(List, Prelude)}, and hands runaway detection
     * the {@code signals} that came with them (prompts, tool results, API errors) in the {@link LiveUsage} fired
     * after the commit. Signals are never stored; with no events they are handed on without a transaction.
     */
    public WriteResult writeUsage(List<Indexed<UsageRecord>> events, Prelude prelude, boolean exactTime,
            List<LiveUsage.Signal> signals) {
        LiveUsage[] live = new LiveUsage[1];
        WriteResult result = partitions.withPartitions(() -> BatchSql.withRetry(
                attempt -> QuarkusTransaction.requiringNew().call(() -> {
                    try (Connection c = dataSource.getConnection()) {
                        List<Indexed<UsageRecord>> kept = prelude.apply(c, events);
                        return kept.isEmpty()
                                ? new WriteResult(0, 0, List.of())
                                : usage.write(c, kept, live, exactTime, attempt > 1);
                    }
                })));
        if (live[0] != null) {
            liveUsage.fire(live[0].withSignals(signals));
        } else if (!signals.isEmpty()) {
            liveUsage.fire(LiveUsage.signalsOnly(signals));
        }
        return result;
    }

    /**
     * Hands runaway detection signals that came without usage (a request of prompts and tool results only): fired as
     * a {@link LiveUsage} with no events, without a transaction; nothing is stored.
     */
    public void handOn(List<LiveUsage.Signal> signals) {
        if (!signals.isEmpty()) {
            liveUsage.fire(LiveUsage.signalsOnly(signals));
        }
    }

    /** Stores outcome events; same guarantees as {@link #writeUsage}. */
    public WriteResult writeOutcomes(List<Indexed<OutcomeRecord>> events) {
        return BatchSql.withRetry(() -> QuarkusTransaction.requiringNew().call(() -> outcomes(events)));
    }

    private WriteResult usage(List<Indexed<UsageRecord>> events, LiveUsage[] live, int attempt)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return usage.write(c, events, live, true, attempt > 1);
        }
    }

    private WriteResult outcomes(List<Indexed<OutcomeRecord>> events) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return OutcomeWriter.write(c, roster, events);
        }
    }

    /**
     * Removes the stored usage events of {@code tool} whose id started with {@code idPrefix} and whose session is one
     * of {@code sessions}, and takes them out of the usage rollups, on the caller's connection and
     * transaction. Days are recomputed in the team's current timezone. Returns how many were removed.
     *
     * @param idPrefix one of the id prefixes the ledger keeps as a raw row's origin ({@code otlpm:}, {@code otlp:},
     *                 {@code pull:}, {@code demo:}); raw rows keep their id's hash, not its text
     */
    public int retractUsage(Connection c, String idPrefix, String tool, Collection<String> sessions)
            throws SQLException {
        return usage.retract(c, idPrefix, tool, sessions);
    }

    /**
     * The push/pull rule's question, on the caller's connection: of {@code users}, those with usage of {@code tool}
     * on the UTC {@code day} whose id does not start with {@code exceptIdPrefix} (usage that did not come from a
     * puller and was not voided).
     */
    public Set<String> usersWithOtherUsage(Connection c, String tool, LocalDate day, Set<String> users,
            String exceptIdPrefix) throws SQLException {
        Set<String> out = new HashSet<>();
        if (users.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                select distinct m.email from usage_event e join usage_kind k on k.id = e.kind
                    join member m on m.id = k.member_id
                where e.time >= ? and e.time < ? and k.tool = ? and k.origin <> ?::"char" and m.email = any(?)
                """)) {
            ps.setTimestamp(1, Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant()));
            ps.setTimestamp(2, Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
            ps.setString(3, tool);
            ps.setString(4, UsageWriter.originOf(exceptIdPrefix));
            ps.setArray(5, BatchSql.text(c, users.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Voids usage events: marks the selected ones not voided yet (a re-sent id stays a duplicate) and takes them out
     * of both usage rollups, of the active members of their days and of runaway detection's live figures, in one
     * transaction with the void's record; then tells the {@link VoidListener}s. Voiding the same events again
     * voids nothing.
     *
     * @param by who voids (recorded)
     * @throws jakarta.ws.rs.WebApplicationException 404 when the selector names an unknown member
     */
    public VoidResult voidUsage(VoidSelector selector, String reason, String by) {
        VoidedUsage[] voided = new VoidedUsage[1];
        VoidResult result = BatchSql.withRetry(() -> QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                knownMember(c, selector);
                long id = VoidRecords.start(c, VoidRecords.USAGE, by, reason, selector);
                VoidedUsage v = usage.voidEvents(c, selector, id);
                VoidRecords.finish(c, id, v.events(), v.costUsd());
                voided[0] = v.events() == 0 ? null : v;
                return new VoidResult(v.events() == 0 ? null : id, v.events(), v.costUsd());
            }
        }));
        if (voided[0] != null) {
            for (VoidListener l : voidListeners) {
                try {
                    l.voided(voided[0]);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "Void %d is done; telling %s of it failed", voided[0].voidId(), l.getClass());
                }
            }
        }
        return result;
    }

    /**
     * Voids outcome events as {@link #voidUsage} does usage: out of {@code outcome_daily} and of the active members
     * of their days.
     */
    public VoidResult voidOutcomes(VoidSelector selector, String reason, String by) {
        return BatchSql.withRetry(() -> QuarkusTransaction.requiringNew().call(() -> {
            try (Connection c = dataSource.getConnection()) {
                knownMember(c, selector);
                long id = VoidRecords.start(c, VoidRecords.OUTCOME, by, reason, selector);
                int n = OutcomeWriter.voidEvents(c, roster, selector, id);
                VoidRecords.finish(c, id, n, null);
                return new VoidResult(n == 0 ? null : id, n, BigDecimal.ZERO);
            }
        }));
    }

    private static void knownMember(Connection c, VoidSelector s) throws SQLException {
        if (s.member() == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("select 1 from member where email = ?")) {
            ps.setString(1, s.member());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw Problem.notFound("No member with email '" + s.member() + "'.");
                }
            }
        }
    }

    /** Member ids by email, creating (without a team) the members not seen before. */
    public Map<String, Long> memberIds(Connection c, Collection<String> emails) throws SQLException {
        Map<String, Long> ids = new HashMap<>();
        for (var e : roster.resolve(c, emails).entrySet()) {
            ids.put(e.getKey(), e.getValue().id());
        }
        return ids;
    }
}
