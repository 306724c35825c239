package dev.yardstick.watch;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import dev.yardstick.ledger.LiveUsage;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Raises, escalates and settles runaway-agent alerts. Every decision about one session runs under a PostgreSQL
 * advisory lock on that session, so replicas checking the same usage at the same moment raise each alert once.
 * Messages go through the outbox under keys derived from the alert's id.
 */
@ApplicationScoped
public class RunawayAlerts {

    private static final Logger LOG = Logger.getLogger(RunawayAlerts.class);
    /** At most one runaway alert per session in this long. */
    public static final Duration QUIET_AFTER_ALERT = Duration.ofHours(6);
    /** Button action of a runaway alert: "It's intended". */
    public static final String INTENDED = "runaway.intended";
    /** Button action of a runaway alert: "Snooze 24 h". */
    public static final String SNOOZE_ACTION = "runaway.snooze";
    /** How long "Snooze 24 h" keeps a member's runaway alerts quiet. */
    public static final Duration SNOOZE = Duration.ofHours(24);

    /** The result of a button click on a runaway alert. */
    public enum Settled {
        /** Done. */
        DONE,
        /** The alert belongs to someone else; nothing changed. */
        NOT_YOURS,
        /** No such alert. */
        NOT_FOUND,
        /** The alert was closed because the usage that raised it was voided; nothing changed. */
        CLOSED
    }

    @Inject
    EntityManager em;
    @Inject
    Messenger messenger;
    @Inject
    MeterRegistry registry;
    @Inject
    javax.sql.DataSource dataSource;
    @Inject
    IntendedBaselines baselines;

    /**
     * Handles a session the detector flagged ({@code reason} not null) or found at four times a
     * threshold ({@code escalate}): raises an alert unless one was raised for it in the last
     * {@link #QUIET_AFTER_ALERT} or its user said it is intended; keeps the latest alert's figures
     * current (at most every {@link #REFRESH} unless {@code refresh}); escalates to the team's managers
     * once per session.
     */
    void onRunaway(RunawayDetector.Reading r, String reason, boolean escalate, RunawayDetector.Thresholds t,
            boolean refresh) {
        onRunaway(r, reason, escalate, t, refresh, null, null, null);
    }

    /**
     * As {@link #onRunaway(RunawayDetector.Reading, String, boolean, RunawayDetector.Thresholds, boolean)}, for a
     * session found in a replica's memory: {@code evidence} says what was found (for the sentence that names it),
     * {@code tool} and {@code model} are the session's main ones as the replica saw them.
     */
    void onRunaway(RunawayDetector.Reading r, String reason, boolean escalate, RunawayDetector.Thresholds t,
            boolean refresh, LoopSignals.Evidence evidence, String tool, String model) {
        String sessionId = r.memberId() + ":" + r.sessionKey();
        Instant checkedAt = Instant.now();
        Seen seen = this.seen.get(sessionId);
        if (seen != null && seen.alertedAt().isAfter(checkedAt.minus(QUIET_AFTER_ALERT))
                && (!escalate || seen.escalated()) && !refresh && seen.checkedAt().isAfter(checkedAt.minus(REFRESH))) {
            return; // alerted lately (and escalated if due), figures refreshed lately: nothing to do
        }
        Seen result = QuarkusTransaction.requiringNew().call(() -> {
            if (Member.findById(r.memberId()) == null) {
                return null; // erased since its usage was seen
            }
            lockSession(r.memberId(), r.sessionKey());
            Instant now = Instant.now();
            List<Alert> recent = Alert.list("kind = ?1 and memberId = ?2 and sessionKey = ?3 and createdAt >= ?4"
                    + " and status <> ?5 order by createdAt desc", Alert.RUNAWAY, r.memberId(), r.sessionKey(),
                    now.minus(LiveUsage.WINDOW), Alert.VOIDED);
            Alert latest = recent.isEmpty() ? null : recent.get(0);
            boolean intended = recent.stream().anyMatch(a -> "intended".equals(a.status))
                    || Alert.count("kind = ?1 and memberId = ?2 and sessionKey = ?3 and status = 'intended'",
                            Alert.RUNAWAY, r.memberId(), r.sessionKey()) > 0;
            if (latest != null) {
                latest.amountUsd = latest.amountUsd.max(r.totalCostUsd());
                latest.requests = Math.max(latest.requests, r.totalRequests());
                latest.minutes = Math.max(latest.minutes, r.minutes());
                latest.updatedAt = now;
            }
            boolean quiet = latest != null && latest.createdAt.isAfter(now.minus(QUIET_AFTER_ALERT));
            if (reason != null && !quiet && !intended) {
                Member member = Member.findById(r.memberId());
                String[] toolModel = tool != null ? new String[]{tool, model} : toolAndModel(r);
                Alert a = new Alert();
                a.kind = Alert.RUNAWAY;
                a.teamKey = r.teamKey();
                a.memberId = r.memberId();
                a.sessionKey = r.sessionKey();
                a.tool = toolModel[0];
                a.model = toolModel[1];
                a.reason = reason;
                a.amountUsd = r.totalCostUsd();
                a.requests = r.totalRequests();
                a.minutes = r.minutes();
                a.evidenceAt = evidence != null ? Instant.ofEpochSecond(evidence.until()) : r.last();
                a.cost15Usd = evidence != null
                        ? BigDecimal.valueOf(evidence.cost15()).setScale(4, RoundingMode.HALF_UP)
                        : r.peakCostUsd();
                a.evidence = AlertMessages.evidence(a, r, t, evidence);
                boolean snoozed = member.alertsSnoozedUntil != null && member.alertsSnoozedUntil.isAfter(now);
                a.status = snoozed ? "snoozed" : "open";
                a.createdAt = now;
                a.updatedAt = now;
                a.persist();
                em.flush();
                AlertRecords.count(registry, "runaway", a.status);
                if (!snoozed && !messenger.directMessage(member.id, key(a),
                        AlertMessages.runaway(a, r, t, evidence))) {
                    LOG.warnf("Runaway alert %d: member %d cannot be reached in chat", a.id, member.id);
                }
                latest = a;
            }
            boolean escalated = recent.stream().anyMatch(a -> a.escalatedAt != null);
            if (escalate && latest != null && !escalated) {
                latest.escalatedAt = now;
                Member member = Member.findById(r.memberId());
                Team team = Team.findById(r.teamKey());
                int reached = 0;
                for (Member manager : team == null ? List.<Member>of() : team.managerMembers()) {
                    if (messenger.directMessage(manager.id, key(latest).and("manager", manager.id),
                            AlertMessages.escalation(latest, r, t, member, team))) {
                        reached++;
                    }
                }
                AlertRecords.count(registry, "runaway_escalation", reached > 0 ? "sent" : "no_manager");
                escalated = true;
            }
            return latest == null ? null : new Seen(latest.createdAt, escalated, checkedAt);
        });
        if (result == null) {
            this.seen.remove(sessionId);
        } else {
            if (this.seen.size() > 100_000) {
                this.seen.values().removeIf(x -> x.alertedAt().isBefore(checkedAt.minus(QUIET_AFTER_ALERT)));
            }
            this.seen.put(sessionId, result);
        }
    }

    /**
     * Whether, as far as this replica knows, nothing more can happen to a session for now: it was
     * alerted within {@link #QUIET_AFTER_ALERT} and its managers heard (the sweep still refreshes
     * the alert's figures).
     */
    boolean settled(long memberId, String sessionKey) {
        Seen s = seen.get(memberId + ":" + sessionKey);
        return s != null && s.escalated() && s.alertedAt().isAfter(Instant.now().minus(QUIET_AFTER_ALERT));
    }

    /** What this replica last saw of a flagged session: its latest alert, and whether managers heard. */
    private record Seen(Instant alertedAt, boolean escalated, Instant checkedAt) {
    }

    /** How often the figures of a flagged session's latest alert are brought up to date. */
    static final Duration REFRESH = Duration.ofMinutes(1);
    private final ConcurrentHashMap<String, Seen> seen = new ConcurrentHashMap<>();

    /** Serialises every decision about one session (detection, escalation, its user's answer). */
    private void lockSession(long memberId, String sessionKey) {
        em.createNativeQuery("select pg_advisory_xact_lock(hashtextextended(?1, 0))")
                .setParameter(1, "runaway:" + memberId + ":" + sessionKey).getSingleResult();
    }

    private String[] toolAndModel(RunawayDetector.Reading r) {
        Object[] row = (Object[]) em.createNativeQuery("""
                select tool, model from usage_session_minute
                where member_id = ?1 and session_key = ?2 and minute >= ?3
                group by tool, model order by sum(cost_usd) desc, sum(requests) desc limit 1
                """).setParameter(1, r.memberId()).setParameter(2, r.sessionKey())
                .setParameter(3, Instant.now().minus(LiveUsage.WINDOW)).getSingleResult();
        return new String[]{(String) row[0], (String) row[1]};
    }

    /** The outbox key of an alert's message to its user (managers' copies add {@code :manager:<id>}). */
    static MessageKey key(Alert a) {
        return key(a.id);
    }

    /** The outbox key of alert {@code alertId}'s message to its user. */
    static MessageKey key(long alertId) {
        return MessageKey.of("alert", alertId);
    }

    /** "It's intended": no more alerts for the alert's session. Only the session's own user may say so. */
    public Settled intended(long alertId, long memberId) {
        return settle(alertId, memberId, "intended");
    }

    /** "Snooze 24 h": no runaway alerts for the alert's user for {@link #SNOOZE}. */
    public Settled snooze(long alertId, long memberId) {
        return settle(alertId, memberId, "snoozed");
    }

    private Settled settle(long alertId, long memberId, String status) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Alert a = Alert.findById(alertId);
            if (a == null || !Alert.RUNAWAY.equals(a.kind)) {
                return Settled.NOT_FOUND;
            }
            if (a.memberId != memberId) {
                return Settled.NOT_YOURS;
            }
            lockSession(a.memberId, a.sessionKey);
            em.refresh(a);
            if (Alert.VOIDED.equals(a.status)) {
                return Settled.CLOSED;
            }
            Instant now = Instant.now();
            a.status = status;
            a.updatedAt = now;
            Member member = Member.findById(memberId);
            if ("snoozed".equals(status)) {
                member.alertsSnoozedUntil = now.plus(SNOOZE);
                member.updatedAt = now;
            } else {
                try (java.sql.Connection c = dataSource.getConnection()) {
                    baselines.learn(c, a);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException("learning from the answer failed", e);
                }
            }
            messenger.replace(key(a), key(a).and(status), AlertMessages.settled(a, member));
            return Settled.DONE;
        });
    }

    /**
     * Closes a runaway alert raised on usage that was then voided, when {@code raisedOnVoidedUsage} confirms it under
     * the session's lock: its status becomes {@code voided}, its DM (and any escalation to managers) is replaced with
     * one saying so, without buttons, it no longer escalates or keeps the session quiet, and the weekly digest
     * leaves it out. An alert already answered "It's intended" keeps its answer. Returns whether it closed it.
     */
    boolean closeVoided(long alertId, java.util.function.BooleanSupplier raisedOnVoidedUsage) {
        Alert closed = QuarkusTransaction.requiringNew().call(() -> {
            Alert a = Alert.findById(alertId);
            if (a == null || !Alert.RUNAWAY.equals(a.kind)) {
                return null;
            }
            lockSession(a.memberId, a.sessionKey);
            em.refresh(a);
            if (!"open".equals(a.status) && !"snoozed".equals(a.status) || !raisedOnVoidedUsage.getAsBoolean()) {
                return null;
            }
            a.status = Alert.VOIDED;
            a.updatedAt = Instant.now();
            ChatMessage message = AlertMessages.voided(a);
            messenger.replace(key(a), key(a).and(Alert.VOIDED), message);
            if (a.escalatedAt != null) {
                Team team = Team.findById(a.teamKey);
                for (Member manager : team == null ? List.<Member>of() : team.managerMembers()) {
                    MessageKey sent = key(a).and("manager", manager.id);
                    messenger.replace(sent, sent.and(Alert.VOIDED), message);
                }
            }
            return a;
        });
        if (closed == null) {
            return false;
        }
        seen.remove(closed.memberId + ":" + closed.sessionKey);
        AlertRecords.count(registry, "runaway", Alert.VOIDED);
        return true;
    }

    /**
     * A runaway alert's message once answered (its figures and the answer, no buttons), as its DM is
     * replaced with; null when there is no such runaway alert.
     */
    public ChatMessage settledMessage(long alertId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Alert a = Alert.findById(alertId);
            return a == null || !Alert.RUNAWAY.equals(a.kind)
                    ? null
                    : AlertMessages.settled(a, Member.findById(a.memberId));
        });
    }

}
