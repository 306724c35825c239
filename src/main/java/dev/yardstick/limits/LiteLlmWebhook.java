package dev.yardstick.limits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code POST /webhooks/litellm?token=<LITELLM_WEBHOOK_SECRET>}: LiteLLM's alerting webhook
 * ({@code general_settings: alerting: ["webhook"]}, {@code WEBHOOK_URL} pointing here). LiteLLM sends no header of
 * its own, so the secret travels in the URL and is compared in constant time: 401 otherwise, 503 while the secret is
 * unset. Budget alerts are answered 200 ({@link LiteLlmAlerts}).
 */
@Path("/webhooks/litellm")
@Produces(MediaType.APPLICATION_JSON)
public class LiteLlmWebhook {

    @Inject
    LimitsConfig config;
    @Inject
    LiteLlmAlerts alerts;
    @Inject
    ObjectMapper mapper;

    @POST
    public Response receive(@QueryParam("token") String token, byte[] body) {
        String secret = config.litellm().webhookSecret().filter(s -> !s.isBlank()).orElse(null);
        if (secret == null) {
            return Problem.response(Response.Status.SERVICE_UNAVAILABLE,
                    "LITELLM_WEBHOOK_SECRET is not set, so this webhook is off (docs/limits.md).");
        }
        if (token == null || !MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            return Problem.response(Response.Status.UNAUTHORIZED,
                    "The webhook's URL must carry ?token=<LITELLM_WEBHOOK_SECRET>.");
        }
        JsonNode alert;
        try {
            alert = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (IOException e) {
            alert = null;
        }
        if (alert == null || !alert.isObject()) {
            throw Problem.badRequest("The body must be LiteLLM's alert, a JSON object.");
        }
        return Response.ok(alerts.receive(body, alert)).build();
    }
}
