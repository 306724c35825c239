package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fake Microsoft side on loopback: the Bot Framework's OpenID metadata and signing keys (a test
 * RSA key generated here), the identity platform's token endpoint, a Bot Connector that records
 * every activity the service sends, and a Workflows webhook.
 */
public final class FakeTeams {

    /** One recorded call to the connector or the webhook. */
    public record Call(String method, String path, JsonNode body, String authorization) {
    }

    /** The app id the service is configured with. */
    public static final String APP_ID = "test-app-id";
    /** The tenant the service is configured with. */
    public static final String TENANT = "tenant-1";
    /** The key id of the signing key (endorsed for {@code msteams}). */
    public static final String KID = "test-key";
    /** The key id of a second published key, endorsed for {@code webchat} only. */
    public static final String WEBCHAT_KID = "webchat-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeTeams fake;

    private final HttpServer server;
    private final RSAKey key;
    private final RSAKey webchatKey;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, String> emails = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger tokens = new AtomicInteger();

    /** The running fake (one per JVM). */
    public static synchronized FakeTeams fake() {
        if (fake == null) {
            try {
                fake = new FakeTeams();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fake;
    }

    private FakeTeams() throws IOException {
        try {
            key = new RSAKeyGenerator(2048).keyID(KID).generate();
            webchatKey = new RSAKeyGenerator(2048).keyID(WEBCHAT_KID).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/openid", ex -> answer(ex, 200, "{\"issuer\":\"https://api.botframework.com\","
                + "\"jwks_uri\":\"" + base() + "/keys\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
        server.createContext("/keys", ex -> answer(ex, 200, keys()));
        server.createContext("/login/", this::token);
        server.createContext("/connector/", this::connector);
        server.createContext("/webhook/", ex -> {
            calls.add(new Call(ex.getRequestMethod(), ex.getRequestURI().getPath(), body(ex), null));
            answer(ex, 202, "");
        });
        server.start();
    }

    /** The base URL of the fake. */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The service URL activities carry (the fake connector). */
    public String serviceUrl() {
        return base() + "/connector/";
    }

    /** The settings that point the service at the fake. */
    public Map<String, String> config() {
        return Map.of("teams.app-id", APP_ID, "teams.app-password", "test-secret", "teams.tenant-id", TENANT,
                "teams.openid-metadata-url", base() + "/openid", "teams.login-url", base() + "/login");
    }

    /** Makes the connector's member lookup know a user's email. */
    public void user(String userId, String email) {
        emails.put(userId, email);
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(Predicate<Call> filter) {
        return calls.stream().filter(filter).toList();
    }

    /** Activities posted to a conversation. */
    public List<Call> posted(String conversationId) {
        return calls(c -> "POST".equals(c.method())
                && c.path().equals("/connector/v3/conversations/" + conversationId + "/activities"));
    }

    /** How many tokens the service fetched. */
    public int tokensIssued() {
        return tokens.get();
    }

    public void reset() {
        calls.clear();
    }

    /** A Bot Framework token signed by the test key. */
    public String token(String audience, String serviceUrl, Instant expires) {
        return sign(key, audience, serviceUrl, expires);
    }

    /** A token signed by the published key that is endorsed for {@code webchat} only, not for {@code msteams}. */
    public String webchatToken(String serviceUrl) {
        return sign(webchatKey, APP_ID, serviceUrl, Instant.now().plusSeconds(600));
    }

    /**
     * The JWKS in the Bot Framework's shape: each key with the channels it is endorsed for ({@code endorsements}),
     * which nimbus' JWKSet would drop.
     */
    private String keys() {
        ObjectNode jwks = JSON.createObjectNode();
        ArrayNode list = jwks.putArray("keys");
        for (var k : List.of(Map.entry(key, List.of("msteams", "skype")), Map.entry(webchatKey, List.of("webchat")))) {
            ObjectNode jwk = JSON.valueToTree(k.getKey().toPublicJWK().toJSONObject());
            jwk.put("use", "sig").put("issuer", "https://api.botframework.com");
            k.getValue().forEach(jwk.putArray("endorsements")::add);
            list.add(jwk);
        }
        return jwks.toString();
    }

    /** A token signed by another key that claims the same key id. */
    public static String forged(String serviceUrl) {
        try {
            RSAKey other = new RSAKeyGenerator(2048).keyID(KID).generate();
            return sign(other, APP_ID, serviceUrl, Instant.now().plusSeconds(600));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(RSAKey key, String audience, String serviceUrl, Instant expires) {
        try {
            JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://api.botframework.com")
                    .audience(audience).expirationTime(Date.from(expires))
                    .notBeforeTime(Date.from(Instant.now().minusSeconds(60))).issueTime(new Date())
                    .claim("serviceurl", serviceUrl).build();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private void token(HttpExchange ex) throws IOException {
        String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!ex.getRequestURI().getPath().equals("/login/" + TENANT + "/oauth2/v2.0/token")
                || !form.contains("grant_type=client_credentials") || !form.contains("client_id=" + APP_ID)
                || !form.contains("scope=https%3A%2F%2Fapi.botframework.com%2F.default")) {
            answer(ex, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        answer(ex, 200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"bot-token-"
                + tokens.incrementAndGet() + "\"}");
    }

    private void connector(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        JsonNode body = body(ex);
        calls.add(new Call(ex.getRequestMethod(), path, body, auth));
        if (auth == null || !auth.startsWith("Bearer bot-token-")) {
            answer(ex, 401, "{\"error\":{\"code\":\"Unauthorized\"}}");
            return;
        }
        String rest = path.substring("/connector/v3/conversations".length());
        if (rest.isEmpty() && "POST".equals(ex.getRequestMethod())) {
            answer(ex, 201, "{\"id\":\"a:created-" + ids.incrementAndGet() + "\"}");
        } else if (rest.contains("/members/") && "GET".equals(ex.getRequestMethod())) {
            String user = rest.substring(rest.indexOf("/members/") + "/members/".length());
            String email = emails.get(user);
            if (email == null) {
                answer(ex, 404, "{\"error\":{\"code\":\"MemberNotFoundInConversation\"}}");
            } else {
                answer(ex, 200, JSON.createObjectNode().put("id", user).put("email", email)
                        .put("userPrincipalName", email).toString());
            }
        } else if (rest.endsWith("/activities") && "POST".equals(ex.getRequestMethod())) {
            answer(ex, 201, "{\"id\":\"act-" + ids.incrementAndGet() + "\"}");
        } else if (rest.contains("/activities/") && "PUT".equals(ex.getRequestMethod())) {
            answer(ex, 200, "{\"id\":\"" + rest.substring(rest.lastIndexOf('/') + 1) + "\"}");
        } else {
            answer(ex, 404, "{\"error\":{\"code\":\"NotFound\"}}");
        }
    }

    private static JsonNode body(HttpExchange ex) throws IOException {
        byte[] bytes = ex.getRequestBody().readAllBytes();
        return bytes.length == 0 ? JSON.nullNode() : JSON.readTree(bytes);
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        ex.close();
    }
}
