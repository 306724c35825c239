package dev.yardstick.admin;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A credential for the ingest API; only the SHA-256 of the secret is stored. Its scope (all null: none) limits what it
 * may send, see {@link IngestScope}.
 */
@Entity
@Table(name = "ingest_token")
public class IngestToken extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public String name;
    @Column(name = "token_hash")
    public String tokenHash;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "revoked_at")
    public Instant revokedAt;
    /** The kinds it may send, comma-separated; null: all. */
    @Column(name = "scope_kinds")
    public String scopeKinds;
    /** The team whose members' events it may send; null: any team. */
    @Column(name = "scope_team")
    public String scopeTeam;
    /** The one person whose events it may send; null: anyone. */
    @Column(name = "scope_user")
    public String scopeUser;
    /** {@code api} or {@code chat} (a person's own token from {@code ai-spend connect}). */
    @Column(name = "issued_via")
    public String issuedVia = "api";

    /** Its scope ({@link IngestScope#UNSCOPED} when it has none). */
    public IngestScope scope() {
        return new IngestScope(IngestScope.parseKinds(scopeKinds), scopeTeam, scopeUser);
    }
}
