package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;

/**
 * The Teams bot's messaging endpoint, {@code POST /api/messages}: Bot Framework activities, each with
 * a bearer token checked by {@link TeamsAuth} before anything else happens. Without
 * {@code TEAMS_APP_ID} it answers 503.
 */
@Path("/api/messages")
public class TeamsResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TeamsSettings settings;
    @Inject
    TeamsAuth auth;
    @Inject
    TeamsBot bot;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response activity(String body, @HeaderParam("Authorization") String authorization) {
        if (!settings.inbound()) {
            return Problem.response(Response.Status.SERVICE_UNAVAILABLE,
                    "The Teams bot is not configured on this service (TEAMS_APP_ID is not set).");
        }
        JsonNode activity;
        try {
            activity = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            activity = null;
        }
        String serviceUrl = activity == null ? null : activity.path("serviceUrl").asText(null);
        String channelId = activity == null ? null : activity.path("channelId").asText(null);
        if (auth.verify(bearer(authorization), channelId, serviceUrl).isEmpty()) {
            return Problem.unauthorized("teams", "A valid Bot Framework token for this bot, signed by a key endorsed "
                    + "for the activity's channelId, and for the activity's serviceUrl, is required.");
        }
        if (activity == null || !activity.isObject()) {
            return Problem.response(Response.Status.BAD_REQUEST, "The body must be a Bot Framework activity.");
        }
        JsonNode answer = bot.handle(activity);
        return answer == null ? Response.ok().build() : Response.ok(answer.toString()).build();
    }

    private static String bearer(String header) {
        if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return header.substring(7).trim();
    }
}
