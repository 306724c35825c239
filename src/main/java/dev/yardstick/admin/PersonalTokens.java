package dev.yardstick.admin;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;

/**
 * A person's own ingest token, handed out in chat ({@code ai-spend connect}): scoped to that person and to
 * {@link IngestScope#PERSONAL_KINDS}. A person has at most one: issuing a new one revokes the previous chat-issued
 * token of that person (and no other token, such as one an admin created for them).
 */
@ApplicationScoped
public class PersonalTokens {

    /**
     * A new personal token.
     *
     * @param secret   the token, to show this once to its person
     * @param replaced whether an earlier personal token of theirs was revoked
     */
    public record Issued(String secret, boolean replaced) {
    }

    /** Issues a new token for the member, revoking their previous one, in one transaction. */
    public Issued issue(long memberId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            // one at a time per person: the member's row is the lock
            Member member = Member.findById(memberId, LockModeType.PESSIMISTIC_WRITE);
            if (member == null) {
                throw new IllegalArgumentException("no member " + memberId);
            }
            Instant now = Instant.now();
            int revoked = IngestToken.update("revokedAt = ?1 where issuedVia = 'chat' and scopeUser = ?2 "
                    + "and revokedAt is null", now, member.email);
            // the revocation reaches the database before the new row, which the partial unique index checks
            IngestToken.flush();
            String secret = IngestTokens.newSecret();
            IngestToken token = new IngestToken();
            String name = "ai-spend connect: " + member.email;
            token.name = name.length() > 200 ? name.substring(0, 200) : name;
            token.tokenHash = IngestTokens.hash(secret);
            token.createdAt = now;
            token.scopeKinds = String.join(",", IngestScope.PERSONAL_KINDS);
            token.scopeUser = member.email;
            token.issuedVia = "chat";
            token.persist();
            return new Issued(secret, revoked > 0);
        });
    }
}
