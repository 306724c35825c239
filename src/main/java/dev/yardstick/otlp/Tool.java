package dev.yardstick.otlp;

/** The coding tools whose OpenTelemetry events and metrics Yardstick maps to usage. */
enum Tool {

    CLAUDE_CODE("claude-code", "claude_code.api_request", "session.id", "claude_code.user_prompt",
            "claude_code.tool_result", "claude_code.api_error"), CODEX("codex", "codex.sse_event", "conversation.id",
                    "codex.user_prompt", "codex.tool_result", null), GEMINI_CLI("gemini-cli", "gemini_cli.api_response",
                            "session.id", "gemini_cli.user_prompt",
                            "gemini_cli.tool_call", "gemini_cli.api_error");

    /** The ledger's tool key (see {@code Vocabulary.TOOLS}). */
    final String key;
    /** The log event that carries one model request's usage. */
    final String requestEvent;
    /** The attribute naming the session. */
    final String sessionAttribute;

    /** The log event of a person's prompt (runaway detection only, never stored). */
    final String promptEvent;
    /** The log event of a tool call's result, with its {@code success} attribute. */
    final String toolResultEvent;
    /** The log event of a failed model request, or null when the tool documents none. */
    final String apiErrorEvent;

    Tool(String key, String requestEvent, String sessionAttribute, String promptEvent, String toolResultEvent,
            String apiErrorEvent) {
        this.key = key;
        this.requestEvent = requestEvent;
        this.sessionAttribute = sessionAttribute;
        this.promptEvent = promptEvent;
        this.toolResultEvent = toolResultEvent;
        this.apiErrorEvent = apiErrorEvent;
    }

    /** The tool whose prompt, tool-result or API-error event this is, or null. */
    static Tool ofSignal(String eventName) {
        for (Tool t : values()) {
            if (eventName.equals(t.promptEvent) || eventName.equals(t.toolResultEvent)
                    || eventName.equals(t.apiErrorEvent)) {
                return t;
            }
        }
        return null;
    }

    static Tool ofEvent(String eventName) {
        for (Tool t : values()) {
            if (t.requestEvent.equals(eventName)) {
                return t;
            }
        }
        return null;
    }
}
