package dev.yardstick.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Ingest token secrets: 256 random bits, stored as their SHA-256. */
public final class IngestTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private IngestTokens() {
    }

    /** A new secret, shown to the caller once. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "ysk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The stored form of a secret. A fast hash is enough: the secret has 256 bits of entropy. */
    public static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The scope of the active (not revoked) token with this secret, or empty when there is none. Plain JDBC: this
     * runs on every ingest request, and an ORM query cost a tenth of the service's CPU under load.
     */
    public static Optional<IngestScope> scope(DataSource dataSource, String secret) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c
                        .prepareStatement("select scope_kinds, scope_team, scope_user from ingest_token "
                                + "where token_hash = ? and revoked_at is null")) {
            ps.setString(1, hash(secret));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new IngestScope(IngestScope.parseKinds(rs.getString(1)), rs.getString(2),
                        rs.getString(3)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("ingest token check failed", e);
        }
    }
}
