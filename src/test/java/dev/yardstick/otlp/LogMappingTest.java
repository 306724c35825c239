package dev.yardstick.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.yardstick.ledger.UsageRecord;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The mapping of the coding tools' log events to usage records (docs/connect-claude-code.md), without a service. */
class LogMappingTest {

    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final Instant OLDEST = NOW.minus(Duration.ofDays(90));

    private static KeyValue kv(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static KeyValue kv(String key, long value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
    }

    private static LogMapping.Result map(String service, LogRecord.Builder... records) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        for (LogRecord.Builder r : records) {
            scope.addLogRecords(r.setTimeUnixNano(NOW.minusSeconds(60).toEpochMilli() * 1_000_000L));
        }
        return LogMapping.map(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", service))
                        .addAttributes(kv("user.email", "ana@example.com")))
                .addScopeLogs(scope)).build(), NOW, OLDEST);
    }

    @Test
    void aClaudeCodeRequestIsOneUsageEventWithItsReportedCost() {
        LogMapping.Result r = map("claude-code", LogRecord.newBuilder()
                .setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
                .addAttributes(kv("event.name", "api_request")).addAttributes(kv("model", "claude-sonnet-4-5"))
                .addAttributes(kv("input_tokens", 1200)).addAttributes(kv("output_tokens", 300))
                .addAttributes(kv("cache_read_tokens", 5000)).addAttributes(kv("cache_creation_tokens", 40))
                .addAttributes(kv("cost_usd", "0.0123")).addAttributes(kv("session.id", "s-1"))
                .addAttributes(kv("request_id", "req_1")));
        assertEquals(1, r.usage.size());
        UsageRecord u = r.usage.get(0).event();
        assertEquals("claude-code", u.tool());
        assertEquals("ana@example.com", u.user());
        assertEquals("claude-sonnet-4-5", u.model());
        assertEquals(1200, u.inputTokens());
        assertEquals(300, u.outputTokens());
        assertEquals(5000, u.cacheReadTokens());
        assertEquals(40, u.cacheWriteTokens());
        assertEquals(0, new BigDecimal("0.0123").compareTo(u.costUsd()));
        assertEquals(1, u.requests());
        assertTrue(u.id().startsWith(LogMapping.ID_PREFIX), u.id());
    }

    @Test
    void codexCountsCachedTokensOutsideInputAndLeavesCostToThePricingTable() {
        LogMapping.Result r = map("codex", LogRecord.newBuilder()
                .setBody(AnyValue.newBuilder().setStringValue("codex.sse_event"))
                .addAttributes(kv("event.name", "codex.sse_event"))
                .addAttributes(kv("event.kind", "response.completed"))
                .addAttributes(kv("model", "gpt-5")).addAttributes(kv("input_token_count", 1000))
                .addAttributes(kv("cached_token_count", 600)).addAttributes(kv("output_token_count", 50))
                .addAttributes(kv("conversation.id", "c-1")));
        assertEquals(1, r.usage.size());
        UsageRecord u = r.usage.get(0).event();
        assertEquals("codex", u.tool());
        assertEquals(400, u.inputTokens());
        assertEquals(600, u.cacheReadTokens());
        assertEquals(50, u.outputTokens());
        assertNull(u.costUsd());
    }

    @Test
    void promptsToolResultsAndApiErrorsAreSignalsNotUsage() {
        LogMapping.Result r = map("claude-code",
                LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("claude_code.user_prompt"))
                        .addAttributes(kv("event.name", "user_prompt")).addAttributes(kv("prompt_length", 42))
                        .addAttributes(kv("session.id", "s-9")),
                LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("claude_code.tool_result"))
                        .addAttributes(kv("event.name", "tool_result")).addAttributes(kv("tool_name", "Bash"))
                        .addAttributes(kv("success", "false")).addAttributes(kv("session.id", "s-9")),
                LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("claude_code.tool_result"))
                        .addAttributes(kv("event.name", "tool_result")).addAttributes(kv("tool_name", "Read"))
                        .addAttributes(kv("success", "true")).addAttributes(kv("session.id", "s-9")),
                LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("claude_code.api_error"))
                        .addAttributes(kv("event.name", "api_error")).addAttributes(kv("status_code", "529"))
                        .addAttributes(kv("attempt", 2)).addAttributes(kv("session.id", "s-9")),
                LogRecord.newBuilder().addAttributes(kv("event.name", "gemini_cli.tool_call"))
                        .addAttributes(kv("function_name", "run_shell_command"))
                        .addAttributes(KeyValue.newBuilder().setKey("success")
                                .setValue(AnyValue.newBuilder().setBoolValue(true)))
                        .addAttributes(kv("session.id", "g-1")),
                LogRecord.newBuilder().addAttributes(kv("event.name", "codex.user_prompt"))
                        .addAttributes(kv("conversation.id", "c-1")));
        assertEquals(0, r.usage.size());
        assertEquals(0, r.ignored.unknown);
        assertEquals(java.util.List.of(dev.yardstick.ledger.LiveUsage.SignalKind.PROMPT,
                dev.yardstick.ledger.LiveUsage.SignalKind.TOOL_FAILED,
                dev.yardstick.ledger.LiveUsage.SignalKind.TOOL_OK,
                dev.yardstick.ledger.LiveUsage.SignalKind.API_ERROR, dev.yardstick.ledger.LiveUsage.SignalKind.TOOL_OK,
                dev.yardstick.ledger.LiveUsage.SignalKind.PROMPT),
                r.signals.stream().map(dev.yardstick.ledger.LiveUsage.Signal::kind).toList());
        assertEquals("s-9", r.signals.get(0).sessionId());
        assertEquals("ana@example.com", r.signals.get(0).user());
        assertEquals("claude-code", r.signals.get(0).tool());
        assertEquals(NOW.minusSeconds(60), r.signals.get(0).time());
        assertEquals("gemini-cli", r.signals.get(4).tool());
        assertEquals("codex", r.signals.get(5).tool());
        assertEquals("c-1", r.signals.get(5).sessionId());
    }

    @Test
    void otherEventsAndAbsurdCostsAreCountedNotKept() {
        LogMapping.Result r = map("claude-code",
                LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("claude_code.tool_result"))
                        .addAttributes(kv("event.name", "tool_result")),
                LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("claude_code.api_request"))
                        .addAttributes(kv("event.name", "api_request")).addAttributes(kv("model", "m"))
                        .addAttributes(kv("cost_usd", "1e999999999")).addAttributes(kv("session.id", "s-2")));
        assertEquals(0, r.usage.size());
        assertEquals(1, r.ignored.unknown, "the tool result is not usage");
        assertEquals(1, r.ignored.invalid, "the absurd cost is refused, not parsed");
    }

    private static String[] vcs(String url, String branch, String... more) {
        java.util.Map<String, AnyValue> m = new java.util.HashMap<>();
        m.put("vcs.repository.url.full", AnyValue.newBuilder().setStringValue(url).build());
        if (branch != null) {
            m.put("vcs.ref.head.name", AnyValue.newBuilder().setStringValue(branch).build());
        }
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], AnyValue.newBuilder().setStringValue(more[i + 1]).build());
        }
        return LogMapping.vcs(m);
    }

    @Test
    void resourceAttributesNameTheRepositoryAndBranchInTheSemanticConventionsForms() {
        String[] https = vcs("https://github.com/Acme/Widgets", "ana/eng-1-x", "vcs.ref.head.revision", "9d59409a");
        assertEquals(java.util.List.of("acme/widgets", "ana/eng-1-x", "9d59409a"), java.util.Arrays.asList(https));
        for (String url : new String[]{"https://github.com/acme/widgets.git", "git@github.com:acme/widgets.git",
                "ssh://git@github.com/acme/widgets", "https://x-token:secret@github.com/acme/widgets/"}) {
            assertEquals("acme/widgets", vcs(url, "main")[0], url);
        }
        assertNull(vcs("https://gitlab.com/my-org/my-project/repo", "main"), "not owner/name");
        assertNull(vcs("https://github.com/acme/widgets", null), "no branch");
        assertNull(vcs("https://github.com/acme/widgets", "v1.2", "vcs.ref.type", "tag"), "a tag");
        assertEquals("old-name", vcs("https://github.com/acme/widgets", null, "vcs.repository.ref.name",
                "old-name")[1], "the deprecated name");
        assertNull(vcs("https://github.com/acme/widgets", "main", "vcs.ref.head.revision", "HEAD")[2]);
    }
}
