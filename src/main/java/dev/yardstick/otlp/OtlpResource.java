package dev.yardstick.otlp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardstick.YardstickConfig;
import dev.yardstick.admin.IngestScope;
import dev.yardstick.admin.IngestScopes;
import dev.yardstick.common.ApiSecurity;
import dev.yardstick.ingest.IngestCaller;
import dev.yardstick.ingest.IngestKind;
import dev.yardstick.ingest.IngestOnly;
import dev.yardstick.ledger.LedgerWriter;
import dev.yardstick.ledger.LiveUsage;
import dev.yardstick.ledger.Plausibility;
import dev.yardstick.ledger.SessionLinks;
import dev.yardstick.ledger.WriteResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

/**
 * The OpenTelemetry OTLP/HTTP receiver: {@code POST /v1/logs} and {@code POST /v1/metrics}, so
 * that Claude Code, Codex CLI and Gemini CLI report usage with their built-in exporters. Same
 * ingest token as the ingest API (kind {@code otlp}); records of people its scope does not cover are not kept, and
 * counted in {@code partialSuccess}. A whole request goes to the ledger in one batch. Errors are
 * {@code google.rpc.Status} bodies in the request's encoding ({@link OtlpErrorBodies}); an unreachable
 * database is 503 with {@code Retry-After}, which exporters retry.
 */
@Path("/v1")
@IngestOnly
@SecurityRequirement(name = ApiSecurity.INGEST)
@IngestKind(IngestScope.OTLP)
@OtlpEndpoint
public class OtlpResource {

    @Inject
    LedgerWriter ledger;
    @Inject
    OtlpStore store;
    @Inject
    Plausibility plausibility;
    @Inject
    YardstickConfig config;
    @Inject
    ObjectMapper mapper;
    @Inject
    MeterRegistry registry;
    @Inject
    IngestCaller caller;

    @POST
    @Path("/logs")
    public Response logs(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding, InputStream body) {
        OtlpBody.Encoding encoding = OtlpBody.Encoding.of(contentType);
        byte[] bytes = OtlpBody.read(body, contentEncoding, config.ingest().maxBytes());
        ExportLogsServiceRequest request = OtlpBody.parse(bytes, encoding, ExportLogsServiceRequest.newBuilder(),
                mapper).build();
        Instant now = Instant.now();
        LogMapping.Result mapped = LogMapping.map(request, now, now.minus(config.rawRetentionDays(), ChronoUnit.DAYS));
        inScope(mapped);
        mapped.usage.removeIf(e -> {
            String implausible = plausibility.violation(e.event());
            if (implausible != null) {
                mapped.ignored.implausible(implausible, 1);
            }
            return implausible != null;
        });
        List<SessionLinks.Link> links = mapped.linksKept();
        WriteResult result;
        if (mapped.usage.isEmpty()) {
            ledger.handOn(mapped.signals);
            result = new WriteResult(0, 0, List.of());
        } else {
            result = ledger.writeUsage(mapped.usage, (c, events) -> {
                List<LedgerWriter.Indexed<dev.yardstick.ledger.UsageRecord>> kept = store.claimForLogs(c, events);
                SessionLinks.link(c, links);
                return kept;
            }, true, mapped.signals);
        }
        count("logs", result, mapped.ignored);
        ExportLogsServiceResponse.Builder response = ExportLogsServiceResponse.newBuilder();
        if (mapped.ignored.rejected() > 0) {
            response.setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                    .setRejectedLogRecords(mapped.ignored.rejected())
                    .setErrorMessage(mapped.ignored.reason("log records")));
        }
        return OtlpBody.respond(response.build(), encoding);
    }

    @POST
    @Path("/metrics")
    public Response metrics(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding, InputStream body) {
        OtlpBody.Encoding encoding = OtlpBody.Encoding.of(contentType);
        byte[] bytes = OtlpBody.read(body, contentEncoding, config.ingest().maxBytes());
        ExportMetricsServiceRequest request = OtlpBody.parse(bytes, encoding,
                ExportMetricsServiceRequest.newBuilder(), mapper).build();
        Instant now = Instant.now();
        Instant oldest = now.minus(config.rawRetentionDays(), ChronoUnit.DAYS);
        MetricMapping.Result mapped = MetricMapping.map(request);
        inScope(mapped);
        WriteResult result = mapped.points.isEmpty()
                ? new WriteResult(0, 0, List.of())
                : ledger.writeUsage(List.of(), (c, none) -> store.fromMetrics(c, mapped.points, now, oldest,
                        mapped.ignored));
        count("metrics", result, mapped.ignored);
        ExportMetricsServiceResponse.Builder response = ExportMetricsServiceResponse.newBuilder();
        if (mapped.ignored.rejected() > 0) {
            response.setPartialSuccess(ExportMetricsPartialSuccess.newBuilder()
                    .setRejectedDataPoints(mapped.ignored.rejected())
                    .setErrorMessage(mapped.ignored.reason("data points")));
        }
        return OtlpBody.respond(response.build(), encoding);
    }

    /** Drops the records of people the token's scope does not cover, counting them as not kept. */
    private void inScope(LogMapping.Result mapped) {
        if (caller.scope().limitsPeople() && !mapped.signals.isEmpty()) {
            IngestScopes.Gate gate = caller.gate(mapped.signals.stream().map(LiveUsage.Signal::user).toList());
            mapped.signals.removeIf(s -> gate.refusal(s.user(), null) != null);
        }
        if (caller.scope().limitsPeople() && !mapped.usage.isEmpty()) {
            IngestScopes.Gate gate = caller.gate(mapped.usage.stream().map(u -> u.event().user()).toList());
            mapped.usage.removeIf(u -> {
                String refusal = gate.refusal(u.event().user(), u.event().team());
                if (refusal != null) {
                    mapped.ignored.outOfScope(refusal);
                }
                return refusal != null;
            });
        }
    }

    private void inScope(MetricMapping.Result mapped) {
        if (caller.scope().limitsPeople() && !mapped.points.isEmpty()) {
            IngestScopes.Gate gate = caller.gate(mapped.points.stream().map(MetricMapping.Point::user).toList());
            mapped.points.removeIf(p -> {
                String refusal = gate.refusal(p.user(), null);
                if (refusal != null) {
                    mapped.ignored.outOfScope(refusal);
                }
                return refusal != null;
            });
        }
    }

    private void count(String signal, WriteResult result, Ignored ignored) {
        registry.counter("yardstick.ingest.events", "kind", "usage", "result", "accepted")
                .increment(result.accepted());
        registry.counter("yardstick.ingest.events", "kind", "usage", "result", "duplicate")
                .increment(result.duplicates());
        ignore(signal, signal.equals("logs") ? "unknown_event" : "unknown_metric", ignored.unknown);
        ignore(signal, "no_usage", ignored.noUsage);
        ignore(signal, "no_user", ignored.noUser);
        ignore(signal, "out_of_window", ignored.outOfWindow);
        ignore(signal, "unsupported_point", ignored.unsupported);
        ignore(signal, "invalid", ignored.invalid);
        ignore(signal, "too_large", ignored.tooLarge);
        ignore(signal, "out_of_scope", ignored.outOfScope);
        ignore(signal, "implausible", ignored.implausible);
    }

    private void ignore(String signal, String reason, int n) {
        if (n > 0) {
            registry.counter("yardstick.otlp.ignored", "signal", signal, "reason", reason).increment(n);
        }
    }
}
