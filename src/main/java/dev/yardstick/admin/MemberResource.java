package dev.yardstick.admin;

import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.Problem;
import jakarta.transaction.Transactional;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.Locale;

/**
 * Admin API for members: {@code /api/v1/members/{email}}. Shows who a member is and which team
 * they belong to; never their usage.
 */
@Path("/api/v1/members")
@AdminOnly
@Produces(MediaType.APPLICATION_JSON)
public class MemberResource {

    /** Body of {@code PUT /api/v1/members/{email}}. */
    public record MemberRequest(
            @Size(max = 200) String displayName,
            @Size(max = 64) String team,
            @Size(max = 64) @Pattern(regexp = "[UW][A-Z0-9]+", message = "must be a Slack user id such as U0123ABCD") String slackUserId,
            @Size(max = 100) @Pattern(regexp = "[A-Za-z0-9-]+", message = "must be a GitHub login") String githubLogin,
            @Size(max = 64) @Pattern(regexp = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", message = "must be a Microsoft Entra object id (a GUID)") String teamsUserId) {
    }

    /** A member as the API shows it. */
    public record MemberView(String email, String displayName, String team, String slackUserId,
            String teamsUserId, String githubLogin, Instant createdAt, Instant updatedAt) {

        static MemberView of(Member m) {
            return new MemberView(m.email, m.displayName, m.teamKey, m.slackUserId, m.teamsUserId, m.githubLogin,
                    m.createdAt, m.updatedAt);
        }
    }

    @GET
    @Path("/{email}")
    public MemberView get(@PathParam("email") String email) {
        return Member.byEmail(email).map(MemberView::of)
                .orElseThrow(() -> Problem.notFound("No member with email '" + email + "'."));
    }

    @PUT
    @Path("/{email}")
    @Transactional
    public Response put(@PathParam("email") String rawEmail,
            @NotNull(message = "a JSON body is required") @Valid MemberRequest body) {
        String email = rawEmail.trim().toLowerCase(Locale.ROOT);
        if (!Emails.isValid(email)) {
            throw Problem.badRequest("'" + rawEmail + "' is not an email address.");
        }
        if (body.team() != null && Team.findById(body.team()) == null) {
            throw Problem.badRequest(
                    "No team with key '" + body.team() + "'; create it first with PUT /api/v1/teams/{key}.");
        }
        Member member = Member.byEmail(email).orElse(null);
        boolean created = member == null;
        Instant now = Instant.now();
        if (created) {
            member = new Member();
            member.email = email;
            member.createdAt = now;
        }
        ensureUnique("slackUserId", body.slackUserId(), member);
        ensureUnique("githubLogin", body.githubLogin(), member);
        String teamsUserId = body.teamsUserId() == null ? null : body.teamsUserId().toLowerCase(Locale.ROOT);
        ensureUnique("teamsUserId", teamsUserId, member);
        member.displayName = body.displayName();
        member.teamKey = body.team();
        member.slackUserId = body.slackUserId();
        member.githubLogin = body.githubLogin();
        member.teamsUserId = teamsUserId;
        member.updatedAt = now;
        if (created) {
            member.persist();
        }
        member.flush();
        return Response.status(created ? Response.Status.CREATED : Response.Status.OK)
                .entity(MemberView.of(member)).build();
    }

    private static void ensureUnique(String field, String value, Member self) {
        if (value == null) {
            return;
        }
        Member other = Member.<Member>find(field, value).firstResult();
        if (other != null && !other.id.equals(self.id)) {
            throw Problem.exception(Response.Status.CONFLICT,
                    field + " '" + value + "' already belongs to another member.");
        }
    }
}
