package dev.yardstick.admin;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A person who uses AI tools, identified by email; belongs to at most one team. */
@Entity
@Table(name = "member")
public class Member extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String email;
    @Column(name = "display_name")
    public String displayName;
    @Column(name = "team_key")
    public String teamKey;
    @Column(name = "slack_user_id")
    public String slackUserId;
    @Column(name = "slack_team_id")
    public String slackTeamId;
    /** The member's Microsoft Entra (Azure AD) object id, as Teams sends it ({@code from.aadObjectId}). */
    @Column(name = "teams_user_id")
    public String teamsUserId;
    @Column(name = "github_login")
    public String githubLogin;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    /** Runaway alerts for this member stay quiet until then ("Snooze 24 h"). */
    @Column(name = "alerts_snoozed_until")
    public Instant alertsSnoozedUntil;
    /** When the person left ({@code DELETE /api/v1/members/{email}}): no team, no DMs, not counted active. */
    @Column(name = "left_at")
    public Instant leftAt;
    /** The latest usage or outcome event seen for the person, to the hour ({@link LastSeen}). */
    @Column(name = "last_seen_at")
    public Instant lastSeenAt;
    /** The id SCIM knows the person by (a User's {@code id}); a new one when the User is deleted. */
    @Column(name = "scim_id")
    public UUID scimId;
    /** The {@code externalId} an identity provider sent for the person, as given; null when none. */
    @Column(name = "scim_external_id")
    public String scimExternalId;

    @PrePersist
    void assignScimId() {
        if (scimId == null) {
            scimId = UUID.randomUUID();
        }
    }

    /** The member with this email (case-insensitive). */
    public static Optional<Member> byEmail(String email) {
        return find("email", email.toLowerCase(java.util.Locale.ROOT)).firstResultOptional();
    }

    /**
     * Whether the member may get direct messages: they exist and have not left (nor been erased). Call within a
     * transaction.
     */
    public static boolean reachable(long id) {
        Member m = findById(id);
        return m != null && m.leftAt == null;
    }
}
