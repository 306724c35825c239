package dev.yardstick.admin;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A team: the unit that budgets, digests and team totals are about. */
@Entity
@Table(name = "team")
public class Team extends PanacheEntityBase {

    /** Reserved key under which events that resolve to no team are kept. */
    public static final String UNASSIGNED = "unassigned";

    @Id
    public String key;
    public String name;
    @Column(name = "slack_channel_id")
    public String slackChannelId;
    /** The Microsoft Teams channel (its conversation id, {@code 19:...@thread.tacv2}) of the digest. */
    @Column(name = "teams_channel_id")
    public String teamsChannelId;
    /**
     * The Slack user group ({@code S0123ABCD}) whose members are the team's members, kept in step by
     * {@link SlackGroupSync}; null: members are set by hand or by import.
     */
    @Column(name = "slack_usergroup_id")
    public String slackUsergroupId;
    /** A Teams Workflows webhook URL that receives the digest only (no bot needed); a secret. */
    @Column(name = "teams_webhook_url")
    public String teamsWebhookUrl;
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> managers = new ArrayList<>();
    @Column(name = "weekly_budget_usd")
    public BigDecimal weeklyBudgetUsd;
    public String timezone = "UTC";
    @Column(name = "digest_day")
    public String digestDay = "MONDAY";
    @Column(name = "digest_time")
    public String digestTime = "09:00";
    /** Runaway threshold: a session's cost in any trailing 15 minutes. */
    @Column(name = "runaway_cost_usd")
    public BigDecimal runawayCostUsd = new BigDecimal("100");
    /** Runaway threshold: a session's requests in any trailing 15 minutes. */
    @Column(name = "runaway_requests")
    public int runawayRequests = 1000;
    /** GitHub repositories ({@code owner/name}, lower-case) whose merged PRs count for the team. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    public List<String> repositories = new ArrayList<>();
    /** The default {@link #deployEnvironments}. */
    public static final List<String> DEFAULT_DEPLOY_ENVIRONMENTS = List.of("production", "prod");
    /**
     * GitHub deployment environments (lower-case) whose deployment statuses count for the team: {@code success} as a
     * deployment, {@code failure} or {@code error} as a failed one (docs/connectors.md).
     */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "deploy_environments")
    public List<String> deployEnvironments = new ArrayList<>(DEFAULT_DEPLOY_ENVIRONMENTS);
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    /**
     * When the team was deleted ({@code DELETE /api/v1/teams/{key}}): it is gone from lists and takes no new events
     * or members, while its history stays readable by key. Null for a team in use.
     */
    @Column(name = "deleted_at")
    public Instant deletedAt;
    /** The id SCIM knows the team by (a Group's {@code id}); it never changes. */
    @Column(name = "scim_id")
    public UUID scimId;
    /** The {@code externalId} an identity provider sent for the group, as given; null when none. */
    @Column(name = "scim_external_id")
    public String scimExternalId;

    @PrePersist
    void assignScimId() {
        if (scimId == null) {
            scimId = UUID.randomUUID();
        }
    }

    /** The team with this key, unless there is none or it was deleted. */
    public static java.util.Optional<Team> live(String key) {
        Team t = findById(key);
        return t == null || t.deletedAt != null ? java.util.Optional.empty() : java.util.Optional.of(t);
    }

    /** The members whose email is one of the team's managers, by email. */
    public List<Member> managerMembers() {
        return managers.isEmpty() ? List.of() : Member.list("email in ?1 order by email", managers);
    }

    /** The team's timezone. */
    public ZoneId zone() {
        return ZoneId.of(timezone);
    }
}
