package dev.yardstick.chat.slack;

import dev.yardstick.chat.OutboxConfig;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.util.http.SlackHttpClient;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.jboss.logging.Logger;

/**
 * The one Bolt {@link App} of the service, built from {@link SlackSettings} on first use, and the
 * Web API clients per workspace. Without {@code SLACK_SIGNING_SECRET} Slack is off.
 */
@ApplicationScoped
public class SlackRuntime {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static final Logger LOG = Logger.getLogger(SlackRuntime.class);
    /** Where the OAuth endpoints are served (under the servlet context path). */
    static final String INSTALL_PATH = "/slack/install";
    static final String REDIRECT_PATH = "/slack/oauth_redirect";

    @Inject
    OutboxConfig outboxSettings;
    @Inject
    SlackSettings settings;
    @Inject
    Instance<SlackListener> listeners;
    @Inject
    SlackInstallations installations;
    @Inject
    SlackOAuthStates states;

    private volatile App app;
    private volatile Slack slack;

    /** Whether Slack is configured at all. */
    public boolean enabled() {
        return settings.signingSecret().filter(s -> !s.isBlank()).isPresent();
    }

    /** Whether the service can send to Slack: configured, with a bot token or OAuth installs. */
    public boolean canSend() {
        return enabled() && (settings.oauth() || settings.botToken().filter(s -> !s.isBlank()).isPresent());
    }

    /** The Bolt app, or empty when Slack is not configured. */
    public Optional<App> app() {
        if (!enabled()) {
            return Optional.empty();
        }
        if (app == null) {
            synchronized (this) {
                if (app == null) {
                    app = build();
                }
            }
        }
        return Optional.of(app);
    }

    /**
     * The Slack SDK entry point, pointed at {@code SLACK_API_URL}: every call ends within
     * {@code YARDSTICK_OUTBOX_SEND_TIMEOUT}, and none is re-sent by the HTTP client on its own.
     */
    public Slack slack() {
        if (slack == null) {
            synchronized (this) {
                if (slack == null) {
                    SlackConfig config = new SlackConfig(); // SlackConfig.DEFAULT is immutable
                    config.setMethodsEndpointUrlPrefix(settings.apiUrl());
                    config.setStatsEnabled(false);
                    int timeout = (int) Math.min(Integer.MAX_VALUE, outboxSettings.sendTimeout().toMillis());
                    config.setHttpClientReadTimeoutMillis(timeout);
                    config.setHttpClientWriteTimeoutMillis(timeout);
                    config.setHttpClientCallTimeoutMillis(timeout);
                    // OkHttp re-sends a request on its own when a pooled connection fails, even a POST that
                    // Slack may have carried out: off, so only the outbox retries, after its in-doubt check.
                    OkHttpClient http = SlackHttpClient.buildOkHttpClient(config).newBuilder()
                            .retryOnConnectionFailure(false).build();
                    slack = Slack.getInstance(config, new SlackHttpClient(http));
                }
            }
        }
        return slack;
    }

    /** A Web API client with the bot token of a workspace, or empty when none is installed. */
    public Optional<MethodsClient> client(String teamId) {
        return botToken(teamId).map(token -> slack().methods(token, teamId));
    }

    /** The bot token of a workspace: the single-workspace token, or the installation's. */
    public Optional<String> botToken(String teamId) {
        if (!settings.oauth()) {
            return settings.botToken().filter(s -> !s.isBlank());
        }
        return installations.botToken(teamId);
    }

    private App build() {
        AppConfig.AppConfigBuilder b = AppConfig.builder()
                .slack(slack())
                .signingSecret(settings.signingSecret().get())
                // Checked on the body's bytes before anything parses it (SlackServlets.handleSigned).
                .requestVerificationEnabled(false)
                // AppConfig's defaults read SLACK_* env vars directly: set every field from our config.
                .singleTeamBotToken(settings.oauth() ? null : settings.botToken().orElse(null))
                .clientId(settings.oauth() ? settings.clientId().get() : null)
                .clientSecret(settings.oauth() ? settings.clientSecret().get() : null)
                .redirectUri(settings.redirectUri().orElse(null))
                .scope(settings.oauth() ? settings.installScopes() : null)
                .userScope(null)
                .oauthInstallPath(INSTALL_PATH)
                .oauthRedirectUriPath(REDIRECT_PATH)
                .authTestCacheEnabled(true);
        App built = new App(b.build());
        if (settings.oauth()) {
            built = built.asOAuthApp(true).service(installations).service(states);
            // Enterprise Grid: which enterprise each workspace is in, for the tokens of org-wide installations
            built.use((req, resp, chain) -> {
                String teamId = req.getContext().getTeamId();
                if (teamId == null && req instanceof com.slack.api.bolt.request.builtin.EventRequest e) {
                    // an org-wide installation's event: the installation has no workspace, the event has one
                    teamId = JSON.readTree(e.getRequestBodyAsString()).path("team_id").asText(null);
                }
                installations.workspaceSeen(req.getContext().getEnterpriseId(), teamId);
                return chain.next(req);
            });
        }
        for (SlackListener l : listeners) {
            l.register(built);
        }
        LOG.infof("Slack app ready in %s mode; Web API at %s", settings.oauth()
                ? "distributed (OAuth)"
                : "single-workspace", settings.apiUrl());
        return built;
    }

    void stop(@Observes ShutdownEvent event) throws Exception {
        if (app != null) {
            app.stop();
        }
        if (slack != null) {
            slack.close();
        }
    }
}
