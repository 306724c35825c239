package dev.yardstick.otlp;

/** The coding tools whose OpenTelemetry events and metrics Yardstick maps to usage. */
enum Tool {

    CLAUDE_CODE("claude-code", "claude_code.api_request", "session.id"), CODEX("codex", "codex.sse_event",
            "conversation.id"), GEMINI_CLI("gemini-cli", "gemini_cli.api_response", "session.id");

    /** The ledger's tool key (see {@code Vocabulary.TOOLS}). */
    final String key;
    /** The log event that carries one model request's usage. */
    final String requestEvent;
    /** The attribute naming the session. */
    final String sessionAttribute;

    Tool(String key, String requestEvent, String sessionAttribute) {
        this.key = key;
        this.requestEvent = requestEvent;
        this.sessionAttribute = sessionAttribute;
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
