package dev.yardstick.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.YardstickConfig;
import dev.yardstick.ledger.StatePurge;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * Charts served at unguessable, expiring URLs, so that Slack and Teams can fetch them: {@code /images/<id>/<expires>/
 * <signature>.png}, under {@code YARDSTICK_PUBLIC_URL}.
 *
 * <p>What is stored is the chart's model (the neutral {@link ChatMessage.Chart}, a few hundred bytes, naming nobody),
 * not its picture: the PNG is drawn when the URL is fetched (and the last few are kept in memory), so a picture is
 * exactly the chart of the message it belongs to, and a home page opened many times costs one row. The id is an
 * HMAC of the model with the signing key (the same chart, the same id); the signature is an HMAC-SHA256 over the id
 * and the expiry (Unix seconds, rounded up to the hour so that a chart shown again within the hour has the same
 * URL). A wrong or expired signature, or an unknown or purged id, is a 404. Team charts' links work
 * {@code YARDSTICK_IMAGES_TEAM_EXPIRY} (30 days), a person's own {@code YARDSTICK_IMAGES_PERSONAL_EXPIRY} (7 days);
 * a row is purged once the last link handed out for it has expired.
 */
@ApplicationScoped
public class ChartImages implements StatePurge {

    /** Where images are served. */
    public static final String PATH = "/images/";
    private static final String KEY_NAME = "images";
    private static final int CACHED = 32;
    /** The shortest signing key accepted from configuration. */
    static final int MIN_SECRET = 32;

    @Inject
    ImagesConfig config;
    @Inject
    YardstickConfig yardstick;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper mapper;
    @Inject
    ChartPng png;

    private volatile byte[] key;
    private final Map<String, byte[]> drawn = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > CACHED;
        }
    });

    /** A served chart: the PNG, and whether it is a person's own. */
    public record Image(byte[] png, boolean personal, Instant expires) {
    }

    /** Refuses to start with a signing key too short to be unguessable. */
    void check(@Observes StartupEvent start) {
        if (config.secret().map(String::trim).filter(s -> !s.isEmpty() && s.length() < MIN_SECRET).isPresent()) {
            throw new IllegalStateException("YARDSTICK_IMAGES_SECRET must be at least " + MIN_SECRET
                    + " characters (such as openssl rand -base64 32), or unset to have one generated");
        }
    }

    /** {@code YARDSTICK_PUBLIC_URL} without its trailing slash, or empty when it is not set. */
    public Optional<String> publicUrl() {
        return yardstick.publicUrl().map(String::trim).filter(u -> u.startsWith("https://") || u.startsWith("http://"))
                .map(u -> u.replaceAll("/+$", ""));
    }

    /** The chart's signed, absolute URL; empty when {@code YARDSTICK_PUBLIC_URL} is not set (nothing is stored). */
    public Optional<String> url(ChatMessage.Chart chart) {
        return publicUrl().map(base -> base + path(chart));
    }

    /** The chart's signed path ({@code /images/...}), stored so that the path can be fetched until it expires. */
    public String path(ChatMessage.Chart chart) {
        return path(chart, Instant.now());
    }

    String path(ChatMessage.Chart chart, Instant now) {
        String body;
        try {
            body = mapper.writerFor(ChatMessage.Block.class).writeValueAsString(chart);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("chart not serialisable", e);
        }
        String id = mac("chart\n" + body).substring(0, 22);
        Duration ttl = chart.personal() ? config.personalExpiry() : config.teamExpiry();
        Instant expires = now.plus(ttl).truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        // in a transaction of its own: a link handed out must work whatever becomes of the caller's transaction
        QuarkusTransaction.requiringNew().run(() -> store(id, body, chart.personal(), expires));
        return signedPath(id, expires.getEpochSecond());
    }

    private void store(String id, String body, boolean personal, Instant expires) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into chart_image (id, body, personal, expires_at) values (?, ?, ?, ?)
                on conflict (id) do update set expires_at = greatest(chart_image.expires_at, excluded.expires_at)
                """)) {
            ps.setString(1, id);
            ps.setString(2, body);
            ps.setBoolean(3, personal);
            ps.setTimestamp(4, Timestamp.from(expires));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("chart image not stored", e);
        }
    }

    /** {@code /images/<id>/<expires>/<signature>.png}. */
    String signedPath(String id, long expires) {
        return PATH + id + "/" + expires + "/" + signature(id, expires) + ".png";
    }

    String signature(String id, long expires) {
        return mac("image\n" + id + "\n" + expires);
    }

    /**
     * The image at a signed path, drawn; empty when the signature is wrong, the link has expired, or the chart is
     * unknown (never stored, or purged).
     */
    public Optional<Image> fetch(String id, String expires, String signature) {
        long at;
        try {
            at = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (id == null || signature == null || !MessageDigest.isEqual(
                signature(id, at).getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))
                || Instant.now().getEpochSecond() >= at) {
            return Optional.empty();
        }
        String body;
        boolean personal;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select body, personal from chart_image where id = ? and expires_at > now()")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                body = rs.getString(1);
                personal = rs.getBoolean(2);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("chart image lookup failed", e);
        }
        byte[] image = drawn.get(id);
        if (image == null) {
            try {
                image = png.draw((ChatMessage.Chart) mapper.readValue(body, ChatMessage.Block.class));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored chart unreadable", e);
            }
            drawn.put(id, image);
        }
        return Optional.of(new Image(image, personal, Instant.ofEpochSecond(at)));
    }

    /** Deletes the charts whose every link has expired. */
    @Override
    public void purge(Instant rawCutoff) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("delete from chart_image where expires_at < now()")) {
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("chart image purge failed", e);
        }
    }

    private String mac(String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The configured secret, or the one kept in the database (generated by the first replica that needs it). */
    private byte[] key() {
        byte[] k = key;
        if (k != null) {
            return k;
        }
        Optional<String> configured = config.secret().map(String::trim).filter(s -> !s.isEmpty());
        if (configured.isPresent()) {
            k = configured.get().getBytes(StandardCharsets.UTF_8);
        } else {
            k = QuarkusTransaction.requiringNew().call(this::keptKey);
        }
        key = k;
        return k;
    }

    private byte[] keptKey() {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        try (Connection c = dataSource.getConnection();
                PreparedStatement insert = c.prepareStatement(
                        "insert into image_signing_key (name, secret) values (?, ?) on conflict (name) do nothing");
                PreparedStatement select = c.prepareStatement(
                        "select secret from image_signing_key where name = ?")) {
            insert.setString(1, KEY_NAME);
            insert.setBytes(2, fresh);
            insert.executeUpdate();
            select.setString(1, KEY_NAME);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("image signing key not kept");
                }
                return rs.getBytes(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("image signing key unavailable", e);
        }
    }
}
