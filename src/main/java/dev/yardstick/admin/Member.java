package dev.yardstick.admin;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;

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

    /** The member with this email (case-insensitive). */
    public static Optional<Member> byEmail(String email) {
        return find("email", email.toLowerCase(java.util.Locale.ROOT)).firstResultOptional();
    }
}
