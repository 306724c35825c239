package dev.yardstick.digest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardstick.admin.Team;
import dev.yardstick.budget.Weeks;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.Rendering;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.AdminOrReader;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Admin endpoints of the weekly digest: preview, send, history. */
@Path("/api/v1/teams/{key}")
@Produces(MediaType.APPLICATION_JSON)
public class DigestResource {

    /** A digest rendered for Slack, not sent. */
    public record Preview(String team, String week, String text, JsonNode blocks) {
    }

    /**
     * One delivery of a digest.
     *
     * @param destination {@code channel}, {@code manager} (a small team's digest goes to its managers),
     *                    each with {@code  (chart)} for the trend chart
     * @param platform    {@code slack}, {@code teams}, {@code preview}, or {@code none} when there was
     *                    nowhere to deliver it
     * @param status      {@code pending}, {@code sent} or {@code failed}
     */
    public record Delivery(String week, String destination, String platform, String status, int attempts,
            String lastError) {
    }

    @Inject
    DigestService digests;
    @Inject
    Instance<Rendering> renderings;

    @GET
    @Path("/digest")
    @AdminOrReader
    @SecurityRequirement(name = ApiSecurity.ADMIN)
    @SecurityRequirement(name = ApiSecurity.READER)
    public Preview preview(@PathParam("key") String key, @QueryParam("week") String week) {
        Team team = team(key);
        LocalDate monday = monday(team, week);
        ChatMessage message = digests
                .compose(QuarkusTransaction.requiringNew().call(() -> digests.figures(team, monday)));
        return new Preview(team.key, DigestService.isoWeek(monday), message.text(),
                renderings.stream().filter(r -> r.platform().equals("slack")).findFirst().orElseThrow()
                        .render(message));
    }

    @POST
    @Path("/digest/send")
    @AdminOnly
    @SecurityRequirement(name = ApiSecurity.ADMIN)
    public Map<String, String> send(@PathParam("key") String key, @QueryParam("week") String week) {
        Team team = team(key);
        LocalDate monday = monday(team, week);
        DigestService.SendStatus status = digests.send(team, monday);
        if (status == DigestService.SendStatus.FAILED) {
            String why = digests.history(team.key).stream()
                    .filter(d -> d.week().equals(DigestService.isoWeek(monday)) && "failed".equals(d.status()))
                    .map(DigestResource.Delivery::lastError).findFirst().orElse("see the team's digest deliveries");
            throw Problem.exception(Response.Status.BAD_GATEWAY, "The digest could not be delivered: " + why);
        }
        return Map.of("status", status.name().toLowerCase(Locale.ROOT));
    }

    @GET
    @Path("/digests")
    @AdminOnly
    @SecurityRequirement(name = ApiSecurity.ADMIN)
    public List<Delivery> history(@PathParam("key") String key) {
        Team team = team(key);
        return QuarkusTransaction.requiringNew().call(() -> digests.history(team.key));
    }

    private static Team team(String key) {
        Team team = QuarkusTransaction.requiringNew().call(() -> Team.<Team>findById(key));
        if (team == null) {
            throw Problem.notFound("No team with key '" + key + "'.");
        }
        return team;
    }

    private static LocalDate monday(Team team, String week) {
        if (week == null || week.isBlank()) {
            return Weeks.start(Instant.now(), team.zone()).minusWeeks(1);
        }
        try {
            return DigestService.monday(week);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("week must be an ISO week such as 2026-W47.");
        }
    }
}
