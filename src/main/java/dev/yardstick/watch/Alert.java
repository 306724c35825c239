package dev.yardstick.watch;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * An alert raised: a runaway session (kind {@code runaway}, to its user) or a budget threshold
 * (kinds {@code budget_80}, {@code budget_100}, {@code budget_pace}, to the team's managers).
 */
@Entity
@Table(name = "alert")
public class Alert extends PanacheEntityBase {

    /** A session that crossed its team's runaway threshold. */
    public static final String RUNAWAY = "runaway";
    /** The team's spend crossed 80% of its effective weekly budget. */
    public static final String BUDGET_80 = "budget_80";
    /** The team's spend reached its effective weekly budget. */
    public static final String BUDGET_100 = "budget_100";
    /** At the current rate the budget runs out before the week ends. */
    public static final String BUDGET_PACE = "budget_pace";
    /** The status of an alert closed because the usage that raised it was voided. */
    public static final String VOIDED = "voided";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String kind;
    @Column(name = "team_key")
    public String teamKey;
    @Column(name = "member_id")
    public Long memberId;
    @Column(name = "session_key")
    public String sessionKey;
    public String tool;
    public String model;
    /**
     * Why a session was flagged: a ceiling ({@code cost}, {@code requests}) or a loop signature ({@code repeat},
     * {@code retry}, {@code night}).
     */
    public String reason;
    /** Runaway: the session's spend over its live window; budget: the team's spend that week. */
    @Column(name = "amount_usd")
    public BigDecimal amountUsd;
    public Long requests;
    public Integer minutes;
    @Column(name = "week_start")
    public LocalDate weekStart;
    /** Budget only: the effective weekly budget the spend was measured against (null for alerts before voiding). */
    @Column(name = "budget_usd")
    public BigDecimal budgetUsd;
    /** {@code open}, {@code intended}, {@code snoozed} or {@code voided} (see {@link #VOIDED}). */
    public String status;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "escalated_at")
    public Instant escalatedAt;
    /** Runaway: the one sentence naming the evidence (null for alerts before it was recorded). */
    public String evidence;
    /** Runaway: the moment of usage (event time) at which the rule held. */
    @Column(name = "evidence_at")
    public Instant evidenceAt;
    /** Runaway: the session's cost in the 15 minutes to {@link #evidenceAt}. */
    @Column(name = "cost_15_usd")
    public BigDecimal cost15Usd;
}
