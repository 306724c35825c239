package dev.yardstick.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.yardstick.common.AdminOnly;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.common.Problem;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * {@code POST /api/v1/directory/import} (admin): people and teams in bulk, from CSV ({@code text/csv}) or a JSON
 * array ({@code application/json}); {@code ?dryRun=true} answers what would change without changing it. And
 * {@code /api/v1/directory/sync}: the Slack user group sync's latest runs ({@code GET}) and a run now ({@code POST}).
 */
@Path("/api/v1/directory")
@AdminOnly
@SecurityRequirement(name = ApiSecurity.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class DirectoryResource {

    /**
     * A 400 answer listing every bad row: an {@code application/problem+json} body with {@code errors}.
     *
     * @param errors each bad row's line in the file (the header is line 1; for JSON, element {@code i} is line
     *               {@code i + 2}) and what is wrong with it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImportProblem(String type, String title, int status, String detail,
            List<DirectoryImport.RowError> errors) {
    }

    /**
     * {@code GET /api/v1/directory/sync}: the Slack user group sync.
     *
     * @param enabled     whether it runs: Slack is configured and some team names a user group
     * @param every       how often it runs ({@code YARDSTICK_DIRECTORY_SYNC_EVERY}), as an ISO-8601 duration
     * @param nextRunAt   when it is due next (null before its first run is scheduled)
     * @param lastRun     the latest run, null before the first
     * @param earlierRuns the runs before it still kept, newest first
     */
    public record SyncView(boolean enabled, String every, java.time.Instant nextRunAt,
            DirectorySyncRuns.Run lastRun, List<DirectorySyncRuns.Run> earlierRuns) {
    }

    @Inject
    DirectoryImport directory;
    @Inject
    SlackGroupSync sync;
    @Inject
    DirectorySyncRuns runs;
    @Inject
    dev.yardstick.jobs.ClusterJobs jobs;

    @GET
    @Path("/sync")
    public SyncView syncState() {
        List<DirectorySyncRuns.Run> latest = runs.latest();
        java.time.Instant next = jobs.states().stream().filter(s -> s.name().equals(SlackGroupSync.NAME))
                .map(dev.yardstick.jobs.ClusterJobs.State::nextRunAt).findFirst().orElse(null);
        return new SyncView(sync.enabled(), sync.every().toString(), next, latest.isEmpty() ? null : latest.get(0),
                latest.size() <= 1 ? List.of() : latest.subList(1, latest.size()));
    }

    /** {@code POST /api/v1/directory/sync}: makes the sync due now; a replica runs it at its next tick (202). */
    @POST
    @Path("/sync")
    public Response syncNow() {
        if (!sync.enabled()) {
            throw Problem.exception(Response.Status.CONFLICT, "The Slack user group sync is off: it needs Slack "
                    + "(SLACK_SIGNING_SECRET and a bot token or installations) and a team with a slackUsergroupId.");
        }
        jobs.makeDue(SlackGroupSync.NAME);
        return Response.accepted(syncState()).build();
    }

    @POST
    @Path("/import")
    public Response importPeople(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @QueryParam("dryRun") String dryRun, InputStream body) {
        boolean dry;
        if (dryRun == null || dryRun.isBlank() || "false".equalsIgnoreCase(dryRun.strip())) {
            dry = false;
        } else if ("true".equalsIgnoreCase(dryRun.strip())) {
            dry = true;
        } else {
            throw Problem.badRequest("Query parameter 'dryRun' must be true or false.");
        }
        String type = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        Reader in = new InputStreamReader(body, StandardCharsets.UTF_8);
        try {
            DirectoryImport.Result result = switch (type) {
                case "text/csv" -> directory.csv(in, dry);
                case "application/json" -> directory.json(in, dry);
                default -> throw Problem.exception(Response.Status.UNSUPPORTED_MEDIA_TYPE,
                        "Send the people as text/csv or as a JSON array (application/json).");
            };
            return Response.ok(result).build();
        } catch (DirectoryImport.Invalid e) {
            int bad = (int) e.errors.stream().mapToInt(DirectoryImport.RowError::line).distinct().count();
            String detail = (bad == 1 ? "1 row is" : bad + " rows are") + " not valid; nothing was changed.";
            return Response.status(400).type(Problem.MEDIA_TYPE)
                    .entity(new ImportProblem("about:blank", "Bad Request", 400, detail, e.errors)).build();
        } catch (DirectoryImport.NotAnArray e) {
            throw Problem.badRequest("The body must be a JSON array of people, such as "
                    + "[{\"email\": \"ana@example.com\", \"team\": \"payments\"}].");
        }
    }
}
