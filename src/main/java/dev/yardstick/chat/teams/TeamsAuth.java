package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Checks the bearer token the Bot Framework sends with every activity: an RS256 JWT signed by one of
 * the keys published through the OpenID metadata ({@code TEAMS_OPENID_METADATA_URL}; keys cached and
 * fetched again when a token names an unknown key), issued by {@value #ISSUER}, for this bot's app id,
 * within its validity (5 minutes of clock skew), and whose {@code serviceurl} claim is the activity's
 * {@code serviceUrl}.
 */
@ApplicationScoped
public class TeamsAuth {

    private static final Logger LOG = Logger.getLogger(TeamsAuth.class);
    /** The issuer of Bot Framework tokens. */
    public static final String ISSUER = "https://api.botframework.com";
    /** Clock skew allowed on {@code exp} and {@code nbf}, in seconds. */
    static final int SKEW_SECONDS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TeamsSettings settings;

    private final ResourceRetriever retriever = new DefaultResourceRetriever(5_000, 5_000, 512 * 1024);
    private volatile DefaultJWTProcessor<SecurityContext> processor;

    /**
     * The token's claims when it is valid for an activity with this {@code serviceUrl}, else empty
     * (the reason is logged at debug level).
     */
    public Optional<JWTClaimsSet> verify(String bearer, String serviceUrl) {
        if (bearer == null || bearer.isBlank() || serviceUrl == null) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet claims = processor().process(bearer, null);
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

    private DefaultJWTProcessor<SecurityContext> processor() throws Exception {
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

    private DefaultJWTProcessor<SecurityContext> build() throws Exception {
        Resource metadata = retriever.retrieveResource(URI.create(settings.openidMetadataUrl()).toURL());
        JsonNode doc = JSON.readTree(metadata.getContent());
        String jwksUri = doc.path("jwks_uri").asText(null);
        if (jwksUri == null) {
            throw new IllegalStateException("no jwks_uri in the OpenID metadata");
        }
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(new URL(jwksUri), retriever)
                .retrying(true).build();
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                Set.of(settings.appId().orElseThrow()), new JWTClaimsSet.Builder().issuer(ISSUER).build(),
                Set.of("exp", "aud", "iss"), null);
        claims.setMaxClockSkew(SKEW_SECONDS);
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }
}
