package dev.yardstick.otlp;

import dev.yardstick.ledger.Bounds;
import dev.yardstick.ledger.LedgerWriter.Indexed;
import dev.yardstick.ledger.LiveUsage;
import dev.yardstick.ledger.UsageRecord;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import dev.yardstick.ledger.SessionLinks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the request events of the coding tools, sent as OTLP log records, into usage records:
 * {@code claude_code.api_request}, {@code codex.sse_event} (kind {@code response.completed}) and
 * {@code gemini_cli.api_response}; and their prompt, tool-result and API-error events into signals for runaway
 * detection (never stored). Every other record is ignored and counted. See
 * {@code docs/connect-claude-code.md} for the attribute mapping.
 */
final class LogMapping {

    /** Prefix of the ids of log-derived usage events. */
    static final String ID_PREFIX = "otlp:";

    /** What came out of a request. */
    static final class Result {

        final List<Indexed<UsageRecord>> usage = new ArrayList<>();
        /** Prompts, tool results and API errors: handed to runaway detection with the batch, never stored. */
        final List<LiveUsage.Signal> signals = new ArrayList<>();
        final Ignored ignored = new Ignored();
        /** Per session id, where its resource said it worked, from its earliest event in the request. */
        final Map<String, SessionLinks.Link> links = new HashMap<>();

        /** The links of the sessions whose usage is still in {@link #usage}. */
        List<SessionLinks.Link> linksKept() {
            Set<String> sessions = new HashSet<>();
            for (Indexed<UsageRecord> u : usage) {
                if (u.event().sessionId() != null) {
                    sessions.add(u.event().sessionId());
                }
            }
            return links.values().stream().filter(l -> sessions.contains(l.sessionId())).toList();
        }
    }

    /** The resource attributes (OpenTelemetry semantic conventions) naming the repository. */
    static final String REPOSITORY_URL = "vcs.repository.url.full";
    /** The resource attributes naming the branch: the current one, then its deprecated name. */
    static final List<String> BRANCH = List.of("vcs.ref.head.name", "vcs.repository.ref.name");
    /** The resource attributes naming the commit. */
    static final List<String> REVISION = List.of("vcs.ref.head.revision", "vcs.repository.ref.revision");
    private static final Pattern URL = Pattern.compile(
            "^(?:[a-z][a-z0-9+.-]*://(?:[^@/]*@)?[^/]+/|[^@/:]+@[^/:]+:)([^/]+/[^/]+?)(?:\\.git)?/?$");
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{7,64}");

    private LogMapping() {
    }

    static Result map(ExportLogsServiceRequest request, Instant now, Instant oldest) {
        Result result = new Result();
        int index = 0;
        for (ResourceLogs rl : request.getResourceLogsList()) {
            Map<String, AnyValue> resource = Attrs.map(rl.getResource().getAttributesList());
            String service = Attrs.str(resource.get("service.name"));
            String[] vcs = vcs(resource);
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord r : sl.getLogRecordsList()) {
                    Map<String, AnyValue> attrs = Attrs.map(r.getAttributesList());
                    String name = eventName(r, attrs, service);
                    Tool tool = Tool.ofEvent(name);
                    if (tool == null) {
                        Tool signalling = Tool.ofSignal(name);
                        LiveUsage.Signal signal = signalling == null
                                ? null
                                : signal(signalling, name, r, attrs, resource, now);
                        if (signal != null) {
                            result.signals.add(signal);
                        } else {
                            result.ignored.unknown++;
                        }
                        continue;
                    }
                    try {
                        UsageRecord u = usage(tool, r, attrs, resource, now, oldest, result.ignored);
                        if (u != null) {
                            result.usage.add(new Indexed<>(index++, u));
                            if (vcs != null && u.sessionId() != null) {
                                result.links.merge(u.sessionId(), new SessionLinks.Link(u.sessionId(), vcs[0],
                                        vcs[1], vcs[2], u.time()), (a, b) -> b.from().isBefore(a.from()) ? b : a);
                            }
                        }
                    } catch (Attrs.Invalid e) {
                        result.ignored.invalid(e.getMessage());
                    }
                }
            }
        }
        return result;
    }

    /**
     * The repository ({@code owner/name}), branch and commit (or null) the resource names with the semantic
     * conventions' VCS attributes, or null when it names no repository of that shape or no branch.
     */
    static String[] vcs(Map<String, AnyValue> resource) {
        String url = Attrs.str(resource.get(REPOSITORY_URL));
        String type = Attrs.str(resource.get("vcs.ref.type"));
        if (url == null || type != null && !"branch".equals(type)) {
            return null;
        }
        Matcher m = URL.matcher(url.trim().toLowerCase(java.util.Locale.ROOT));
        String branch = first(resource, BRANCH);
        if (!m.matches() || !SessionLinks.REPOSITORY.matcher(m.group(1)).matches() || branch == null
                || branch.length() > 255 || !Bounds.isStorable(branch)) {
            return null;
        }
        String sha = first(resource, REVISION);
        return new String[]{m.group(1), branch, sha != null && SHA.matcher(sha).matches() ? sha : null};
    }

    private static String first(Map<String, AnyValue> attrs, List<String> names) {
        for (String name : names) {
            String v = Attrs.str(attrs.get(name));
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /**
     * The record's event name: the LogRecord field, else the {@code event.name} attribute. Claude
     * Code puts the short name ({@code api_request}) in the attribute and the full one in the body.
     */
    static String eventName(LogRecord r, Map<String, AnyValue> attrs, String service) {
        String name = r.getEventName();
        if (name.isEmpty()) {
            name = Attrs.str(attrs.get("event.name"));
        }
        String body = r.getBody().hasStringValue() ? r.getBody().getStringValue() : "";
        if (name == null || name.isEmpty()) {
            return body;
        }
        if (name.indexOf('.') < 0) {
            if (body.endsWith("." + name)) {
                return body;
            }
            if (service != null && service.toLowerCase(java.util.Locale.ROOT).contains("claude")) {
                return "claude_code." + name;
            }
        }
        return name;
    }

    private static UsageRecord usage(Tool tool, LogRecord r, Map<String, AnyValue> attrs,
            Map<String, AnyValue> resource, Instant now, Instant oldest, Ignored ignored) throws Attrs.Invalid {
        long in, out, cacheRead, cacheWrite;
        BigDecimal cost = null;
        String nativeId;
        switch (tool) {
            case CLAUDE_CODE -> {
                in = count("input_tokens", attrs);
                out = count("output_tokens", attrs);
                cacheRead = count("cache_read_tokens", attrs);
                cacheWrite = count("cache_creation_tokens", attrs);
                cost = Attrs.money("cost_usd", attrs.get("cost_usd"));
                nativeId = Attrs.str(attrs.get("request_id"));
            }
            case CODEX -> {
                String kind = Attrs.str(attrs.get("event.kind"));
                if (kind != null && !"response.completed".equals(kind)
                        || !attrs.containsKey("input_token_count") && !attrs.containsKey("output_token_count")) {
                    ignored.noUsage++;
                    return null;
                }
                long cached = count("cached_token_count", attrs);
                in = Math.max(0, count("input_token_count", attrs) - cached);
                out = count("output_token_count", attrs);
                cacheRead = cached;
                cacheWrite = count("cache_write_token_count", attrs);
                nativeId = Attrs.str(attrs.get("response.id"));
            }
            case GEMINI_CLI -> {
                long cached = count("cached_content_token_count", attrs);
                in = Math.max(0, count("input_token_count", attrs) - cached) + count("tool_token_count", attrs);
                out = count("output_token_count", attrs) + count("thoughts_token_count", attrs);
                cacheRead = cached;
                cacheWrite = 0;
                nativeId = null;
            }
            default -> throw new IllegalStateException(tool.name());
        }
        String user = Attrs.email(attrs.getOrDefault("user.email", resource.get("user.email")));
        if (user == null) {
            ignored.noUser++;
            return null;
        }
        long nanos = nanos(r, attrs);
        Instant time = nanos > 0 ? Instant.ofEpochSecond(0, nanos) : now;
        if (time.isAfter(now.plusSeconds(300)) || time.isBefore(oldest)) {
            ignored.outOfWindow++;
            return null;
        }
        String session = Attrs.storable(tool.sessionAttribute,
                Attrs.str(attrs.getOrDefault(tool.sessionAttribute, resource.get(tool.sessionAttribute))));
        if (session != null && session.length() > 200) {
            session = Attrs.hash(session);
        }
        String model = Attrs.storable("model", Attrs.str(attrs.get("model")));
        if (model == null) {
            model = "unknown";
        } else if (model.length() > 200) {
            model = model.substring(0, 200);
        }
        String id = ID_PREFIX + tool.key + ":";
        if (nativeId != null && id.length() + nativeId.length() <= 128 && Bounds.isStorable(nativeId)) {
            id += nativeId;
        } else {
            id += "h" + Attrs.hash(nativeId, session, Long.toString(nanos), Attrs.str(attrs.get("event.sequence")),
                    model, Long.toString(in), Long.toString(out), Long.toString(cacheRead));
        }
        return new UsageRecord(id, time, user, null, tool.key, model, in, out, cacheRead, cacheWrite, cost, 1,
                session);
    }

    /**
     * A prompt, tool result or API error as a signal for runaway detection; null when it names no user, has no
     * {@code success} to tell (a tool result), or is more than a day old or 5 minutes ahead (it could not count).
     */
    private static LiveUsage.Signal signal(Tool tool, String name, LogRecord r, Map<String, AnyValue> attrs,
            Map<String, AnyValue> resource, Instant now) {
        String user = Attrs.email(attrs.getOrDefault("user.email", resource.get("user.email")));
        if (user == null) {
            return null;
        }
        LiveUsage.SignalKind kind;
        if (name.equals(tool.promptEvent)) {
            kind = LiveUsage.SignalKind.PROMPT;
        } else if (name.equals(tool.apiErrorEvent)) {
            kind = LiveUsage.SignalKind.API_ERROR;
        } else {
            AnyValue success = attrs.get("success");
            if (success == null) {
                return null;
            }
            boolean ok = success.hasBoolValue() ? success.getBoolValue() : "true".equalsIgnoreCase(Attrs.str(success));
            kind = ok ? LiveUsage.SignalKind.TOOL_OK : LiveUsage.SignalKind.TOOL_FAILED;
        }
        long nanos = nanos(r, attrs);
        Instant time = nanos > 0 ? Instant.ofEpochSecond(0, nanos) : now;
        if (time.isAfter(now.plusSeconds(300)) || time.isBefore(now.minus(LiveUsage.WINDOW))) {
            return null;
        }
        String session;
        try { // the session key exactly as the tool's usage events get it
            session = Attrs.storable(tool.sessionAttribute,
                    Attrs.str(attrs.getOrDefault(tool.sessionAttribute, resource.get(tool.sessionAttribute))));
        } catch (Attrs.Invalid e) {
            return null;
        }
        if (session != null && session.length() > 200) {
            session = Attrs.hash(session);
        }
        return new LiveUsage.Signal(user, tool.key, session, time, kind);
    }

    private static long count(String name, Map<String, AnyValue> attrs) throws Attrs.Invalid {
        return Attrs.count(name, attrs.get(name));
    }

    /** The event's time: the record's, else its {@code event.timestamp} attribute, else when observed. */
    private static long nanos(LogRecord r, Map<String, AnyValue> attrs) {
        if (r.getTimeUnixNano() > 0) {
            return r.getTimeUnixNano();
        }
        String ts = Attrs.str(attrs.get("event.timestamp"));
        if (ts != null) {
            try {
                Instant t = OffsetDateTime.parse(ts).toInstant();
                return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
            } catch (DateTimeParseException | ArithmeticException e) {
                // fall through to the observed time
            }
        }
        return r.getObservedTimeUnixNano();
    }
}
