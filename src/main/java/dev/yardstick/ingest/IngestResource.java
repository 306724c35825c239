package dev.yardstick.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardstick.YardstickConfig;
import dev.yardstick.admin.IngestScope;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.ledger.LedgerWriter;
import dev.yardstick.ledger.LedgerWriter.Indexed;
import dev.yardstick.ledger.OutcomeRecord;
import dev.yardstick.ledger.Plausibility;
import dev.yardstick.ledger.UsageRecord;
import dev.yardstick.ledger.Vocabulary;
import dev.yardstick.ledger.WriteResult;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * The ingest API: {@code POST /api/v1/usage-events} and {@code POST /api/v1/outcome-events}.
 * Each event is judged on its own, usage events also by the {@link Plausibility} limits; the valid ones of a
 * batch are kept. Events the token's scope does not cover (another person's, another team's) are rejected like
 * invalid ones.
 */
@Path("/api/v1")
@IngestOnly
@SecurityRequirement(name = ApiSecurity.INGEST)
@Produces(MediaType.APPLICATION_JSON)
public class IngestResource {

    /** The answer to an ingest request. */
    public record IngestResponse(int accepted, int duplicates, List<WriteResult.Rejection> rejected) {
    }

    private static final Set<String> USAGE_FIELDS = Set.of("id", "time", "user", "team", "tool", "model",
            "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "cacheWrite1hTokens", "costUsd",
            "requests", "sessionId");
    private static final Set<String> OUTCOME_FIELDS = Set.of("id", "time", "user", "team", "kind", "title", "url",
            "aiAssisted");

    @Inject
    LedgerWriter ledger;
    @Inject
    Plausibility plausibility;
    @Inject
    YardstickConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    IngestCaller caller;

    @POST
    @Path("/usage-events")
    @IngestKind(IngestScope.USAGE)
    @ResponseStatus(202)
    public IngestResponse usage(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, InputStream body) {
        List<EventBody.Event> events = read(body, contentType);
        Instant now = Instant.now();
        Instant oldest = oldest(now);
        List<Indexed<UsageRecord>> valid = new ArrayList<>();
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode node = events.get(i).node();
            try {
                if (node == null) {
                    throw new EventFields.Invalid(events.get(i).error());
                }
                EventFields f = new EventFields(node, USAGE_FIELDS);
                UsageRecord u = new UsageRecord(f.string("id", 128, true),
                        f.time(now, oldest, config.rawRetentionDays()), f.email("user", true),
                        f.string("team", 64, false), f.oneOf("tool", Vocabulary.TOOLS), f.string("model", 200, true),
                        f.count("inputTokens", 0), f.count("outputTokens", 0), f.count("cacheReadTokens", 0),
                        f.count("cacheWriteTokens", 0), f.money("costUsd"), f.smallCount("requests", 1),
                        f.string("sessionId", 200, false), f.count("cacheWrite1hTokens", 0));
                if (u.cacheWrite1hTokens() > u.cacheWriteTokens()) {
                    throw new EventFields.Invalid("cacheWrite1hTokens must not exceed cacheWriteTokens: they are "
                            + "the one-hour part of the cache writes");
                }
                String implausible = plausibility.violation(u);
                if (implausible != null) {
                    throw new EventFields.Invalid(implausible);
                }
                valid.add(new Indexed<>(i, u));
            } catch (EventFields.Invalid e) {
                rejected.add(new WriteResult.Rejection(i, EventFields.idOf(node), e.getMessage()));
            }
        }
        valid = caller.inScope(valid, UsageRecord::user, UsageRecord::team, UsageRecord::id, rejected);
        WriteResult result = valid.isEmpty() ? new WriteResult(0, 0, List.of()) : ledger.writeUsage(valid);
        return respond("usage", result, rejected);
    }

    @POST
    @Path("/outcome-events")
    @IngestKind(IngestScope.OUTCOME)
    @ResponseStatus(202)
    public IngestResponse outcomes(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, InputStream body) {
        List<EventBody.Event> events = read(body, contentType);
        Instant now = Instant.now();
        Instant oldest = oldest(now);
        List<Indexed<OutcomeRecord>> valid = new ArrayList<>();
        List<WriteResult.Rejection> rejected = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode node = events.get(i).node();
            try {
                if (node == null) {
                    throw new EventFields.Invalid(events.get(i).error());
                }
                EventFields f = new EventFields(node, OUTCOME_FIELDS);
                String id = f.string("id", 128, true);
                Instant time = f.time(now, oldest, config.rawRetentionDays());
                String user = f.email("user", false);
                String team = f.string("team", 64, false);
                if (user == null && team == null) {
                    throw new EventFields.Invalid("user or team is required");
                }
                valid.add(new Indexed<>(i,
                        new OutcomeRecord(id, time, user, team, f.oneOf("kind", Vocabulary.OUTCOME_KINDS),
                                f.string("title", 500, false), f.string("url", 2048, false), f.bool("aiAssisted"))));
            } catch (EventFields.Invalid e) {
                rejected.add(new WriteResult.Rejection(i, EventFields.idOf(node), e.getMessage()));
            }
        }
        valid = caller.inScope(valid, OutcomeRecord::user, OutcomeRecord::team, OutcomeRecord::id, rejected);
        WriteResult result = valid.isEmpty() ? new WriteResult(0, 0, List.of()) : ledger.writeOutcomes(valid);
        return respond("outcome", result, rejected);
    }

    private List<EventBody.Event> read(InputStream body, String contentType) {
        return EventBody.read(body, contentType, config.ingest().maxBytes(), config.ingest().maxEvents());
    }

    private Instant oldest(Instant now) {
        return now.minus(config.rawRetentionDays(), ChronoUnit.DAYS);
    }

    private IngestResponse respond(String kind, WriteResult result, List<WriteResult.Rejection> rejected) {
        List<WriteResult.Rejection> all = new ArrayList<>(rejected);
        all.addAll(result.rejected());
        all.sort(Comparator.comparingInt(WriteResult.Rejection::index));
        registry.counter("yardstick.ingest.events", "kind", kind, "result", "accepted").increment(result.accepted());
        registry.counter("yardstick.ingest.events", "kind", kind, "result", "duplicate").increment(result.duplicates());
        registry.counter("yardstick.ingest.events", "kind", kind, "result", "rejected").increment(all.size());
        return new IngestResponse(result.accepted(), result.duplicates(), all);
    }
}
