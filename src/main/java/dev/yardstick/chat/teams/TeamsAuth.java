package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.security.Key;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Checks the bearer token the Bot Framework sends with every activity, as Microsoft's "Authentication with the Bot
 * Connector API" lays down for tokens from the Bot Connector service: an RS256 JWT signed by one of the keys listed at
 * the {@code jwks_uri} of the OpenID metadata ({@code TEAMS_OPENID_METADATA_URL}; the keys are cached for a day and
 * fetched again, at most once a minute, when a token names a key not in the cache), issued by {@value #ISSUER}, for
 * this bot's app id, within its validity (5 minutes of clock skew), signed by a key whose {@code endorsements} list
 * the activity's {@code channelId} (a key the Bot Framework endorses only for another channel cannot vouch for a
 * Teams activity), and whose {@code serviceurl} claim is the activity's {@code serviceUrl}.
 */
@ApplicationScoped
public class TeamsAuth {

    private static final Logger LOG = Logger.getLogger(TeamsAuth.class);
    /** The issuer of Bot Framework tokens. */
    public static final String ISSUER = "https://api.botframework.com";
    /** Clock skew allowed on {@code exp} and {@code nbf}, in seconds. */
    static final int SKEW_SECONDS = 300;
    /** How long fetched keys are used before they are fetched again (Microsoft: cache them, refresh daily). */
    static final long KEYS_TTL_MILLIS = 24L * 3600 * 1000;
    /** The shortest time between two fetches of the keys (a token naming an unknown key causes one). */
    static final long UNKNOWN_KEY_REFETCH_MILLIS = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TeamsSettings settings;

    private final ResourceRetriever retriever = new DefaultResourceRetriever(5_000, 5_000, 512 * 1024);
    private volatile DefaultJWTProcessor<SecurityContext> processor;
    private volatile Map<String, SigningKey> keys = Map.of();
    private volatile long keysFetchedAt;
    private long lastFetchAttempt;

    /** A signing key and the channels the Bot Framework endorses it for. */
    record SigningKey(RSAKey key, Set<String> endorsements) {
    }

    /**
     * The token's claims when it is valid for an activity on this channel with this {@code serviceUrl}, else empty
     * (the reason is logged at debug level).
     */
    public Optional<JWTClaimsSet> verify(String bearer, String channelId, String serviceUrl) {
        if (bearer == null || bearer.isBlank() || serviceUrl == null || channelId == null || channelId.isBlank()) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(bearer);
            JWTClaimsSet claims = processor().process(jwt, null);
            SigningKey key = keys.get(jwt.getHeader().getKeyID());
            if (key == null || !key.endorsements().contains(channelId)) {
                LOG.debugf("Teams token refused: key %s is not endorsed for channel %s", jwt.getHeader().getKeyID(),
                        channelId);
                return Optional.empty();
            }
            Object claimed = claims.getClaim("serviceurl");
            if (!(claimed instanceof String s) || !trimSlash(s).equalsIgnoreCase(trimSlash(serviceUrl))) {
                LOG.debugf("Teams token refused: serviceurl %s is not the activity's %s", claimed, serviceUrl);
                return Optional.empty();
            }
            return Optional.of(claims);
        } catch (Exception e) {
            LOG.debugf("Teams token refused: %s", e.getMessage());
            return Optional.empty();
        }
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private DefaultJWTProcessor<SecurityContext> processor() {
        DefaultJWTProcessor<SecurityContext> p = processor;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (processor == null) {
                processor = build();
            }
            return processor;
        }
    }

    private DefaultJWTProcessor<SecurityContext> build() {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector((JWSHeader header, SecurityContext context) -> {
            if (!JWSAlgorithm.RS256.equals(header.getAlgorithm()) || header.getKeyID() == null) {
                return List.of();
            }
            SigningKey key = key(header.getKeyID());
            if (key == null) {
                return List.of();
            }
            try {
                return List.<Key>of(key.key().toRSAPublicKey());
            } catch (Exception e) {
                return List.of();
            }
        });
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                Set.of(settings.appId().orElseThrow()), new JWTClaimsSet.Builder().issuer(ISSUER).build(),
                Set.of("exp", "aud", "iss"), null);
        claims.setMaxClockSkew(SKEW_SECONDS);
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }

    /**
     * The signing key with this id: from the cache while it is fresh, else fetched again; fetches (also failed ones)
     * are at least a minute apart, and a key fetched earlier stays usable while a fetch fails.
     */
    private SigningKey key(String kid) {
        long now = System.currentTimeMillis();
        SigningKey k = keys.get(kid);
        if (k != null && now - keysFetchedAt < KEYS_TTL_MILLIS) {
            return k;
        }
        synchronized (this) {
            if (lastFetchAttempt == 0 || now - lastFetchAttempt >= UNKNOWN_KEY_REFETCH_MILLIS) {
                lastFetchAttempt = now;
                try {
                    keys = fetch();
                    keysFetchedAt = now;
                } catch (Exception e) {
                    LOG.warnf("Could not fetch the Bot Framework signing keys: %s", e.getMessage());
                }
            }
            return keys.get(kid);
        }
    }

    /** The keys the OpenID metadata's {@code jwks_uri} lists, with their {@code endorsements}. */
    private Map<String, SigningKey> fetch() throws Exception {
        JsonNode metadata = JSON.readTree(
                retriever.retrieveResource(URI.create(settings.openidMetadataUrl()).toURL()).getContent());
        String jwksUri = metadata.path("jwks_uri").asText(null);
        if (jwksUri == null) {
            throw new IllegalStateException("no jwks_uri in the OpenID metadata");
        }
        JsonNode jwks = JSON.readTree(retriever.retrieveResource(URI.create(jwksUri).toURL()).getContent());
        Map<String, SigningKey> out = new HashMap<>();
        for (JsonNode k : jwks.path("keys")) {
            if (!"RSA".equals(k.path("kty").asText()) || !k.hasNonNull("kid")) {
                continue;
            }
            Set<String> endorsements = new HashSet<>();
            k.path("endorsements").forEach(e -> endorsements.add(e.asText()));
            out.put(k.path("kid").asText(),
                    new SigningKey(JWK.parse(k.toString()).toRSAKey(), Set.copyOf(endorsements)));
        }
        return Map.copyOf(out);
    }
}
