package dev.yardstick.budget;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/** {@code GET /api/v1/teams/{key}/budget-requests} (admin): every request and decision, for audit. */
@Path("/api/v1/teams/{key}/budget-requests")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class BudgetRequestResource {

    /** A request as the audit shows it. */
    public record RequestView(long id, String requester, BigDecimal amountUsd, String scope, LocalDate weekStart,
            String reason, String status, String decidedBy, Instant createdAt, Instant decidedAt) {
    }

    @Inject
    BudgetService budgets;

    @GET
    public List<RequestView> list(@PathParam("key") String key) {
        if (Team.findById(key) == null) {
            throw Problem.notFound("No team with key '" + key + "'.");
        }
        List<BudgetRequest> requests = budgets.ofTeam(key);
        Map<Long, String> emails = new HashMap<>();
        if (!requests.isEmpty()) {
            Member.<Member>list("id in ?1", requests.stream().map(r -> r.requesterId).distinct().toList())
                    .forEach(m -> emails.put(m.id, m.email));
        }
        return requests.stream().map(r -> new RequestView(r.id, emails.get(r.requesterId), r.amountUsd, r.scope,
                r.weekStart, r.reason, r.status, r.decidedBy, r.createdAt, r.decidedAt)).toList();
    }
}
