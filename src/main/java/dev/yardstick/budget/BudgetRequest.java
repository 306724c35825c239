package dev.yardstick.budget;

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

/** A request to raise a team's weekly budget, and its decision; kept for audit. */
@Entity
@Table(name = "budget_request")
public class BudgetRequest extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "team_key")
    public String teamKey;
    @Column(name = "requester_id")
    public Long requesterId;
    @Column(name = "amount_usd")
    public BigDecimal amountUsd;
    /** {@code week} (the budget week it was asked in) or {@code permanent}. */
    public String scope;
    @Column(name = "week_start")
    public LocalDate weekStart;
    public String reason;
    /** {@code pending}, {@code approved}, {@code denied} or {@code expired}. */
    public String status;
    @Column(name = "decided_by")
    public String decidedBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "decided_at")
    public Instant decidedAt;
}
