package dev.yardstick.watch;

import dev.yardstick.admin.Team;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** Admin API of alert records: {@code GET /api/v1/teams/{key}/alerts?since=<RFC 3339>}. */
@Path("/api/v1/teams/{key}/alerts")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class AlertResource {

    /**
     * One alert. Runaway alerts name no person here: the session's user and the team's managers
     * heard about it in private.
     *
     * @param kind      {@code runaway}, {@code budget_80}, {@code budget_100} or {@code budget_pace}
     * @param reason    runaway only: a ceiling ({@code cost}, {@code requests}) or a loop signature ({@code repeat},
     *                  {@code retry}, {@code night})
     * @param amountUsd runaway: what the session spent; budget: the team's spend that week when raised
     * @param status    {@code open}, {@code intended}, {@code snoozed} or {@code voided} (closed by a void)
     * @param escalated runaway only: whether managers were told (four times the threshold)
     * @param weekStart budget only: the first day of the budget week
     * @param evidence  runaway only: the sentence naming the evidence, as the DM said it
     * @param evidenceAt runaway only: the moment of usage (event time) at which the rule held
     */
    public record AlertView(long id, String kind, Instant time, String session, String tool, String model,
            String reason, BigDecimal amountUsd, Long requests, Integer minutes, String status, boolean escalated,
            LocalDate weekStart, String evidence, Instant evidenceAt) {
    }

    @Inject
    AlertRecords alerts;

    @GET
    public List<AlertView> list(@PathParam("key") String key, @QueryParam("since") String since) {
        Instant from;
        if (since == null || since.isBlank()) {
            from = Instant.now().minus(Duration.ofDays(7));
        } else {
            try {
                from = OffsetDateTime.parse(since).toInstant();
            } catch (DateTimeParseException e) {
                throw Problem.badRequest("since must be an RFC 3339 time such as 2026-11-23T00:00:00Z; got '"
                        + since + "'.");
            }
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            if (Team.findById(key) == null) {
                throw Problem.notFound("No team with key '" + key + "'.");
            }
            return alerts.ofTeam(key, from).stream()
                    .map(a -> new AlertView(a.id, a.kind, a.createdAt,
                            a.sessionKey == null || a.sessionKey.startsWith("tool:") ? null : a.sessionKey, a.tool,
                            a.model, a.reason, a.amountUsd, a.requests, a.minutes, a.status, a.escalatedAt != null,
                            a.weekStart, a.evidence, a.evidenceAt))
                    .toList();
        });
    }
}
