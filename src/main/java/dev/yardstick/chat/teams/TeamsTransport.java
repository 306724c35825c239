package dev.yardstick.chat.teams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardstick.chat.ChartPng;
import dev.yardstick.chat.ChatTransport;
import dev.yardstick.chat.Outgoing;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Delivers outbox messages to Microsoft Teams as Adaptive Cards through the Bot Connector: posts
 * ({@code POST .../activities}) to a member's 1:1 chat (created first when the bot knows only the
 * user and tenant) or to a team's channel ({@code teamsChannelId}), and updates
 * ({@code PUT .../activities/{id}}). A team with only a Workflows webhook ({@code teamsWebhookUrl})
 * gets its digest there: the digest-only tier, which needs no bot registration.
 *
 * <p>Targets: a conversation id, {@code user:<aadObjectId>} (no 1:1 chat yet) or
 * {@code webhook:<teamKey>} (the webhook URL, a secret, is read at delivery and never queued).
 *
 * <p>The Bot Connector cannot list a conversation's messages for a bot, so a message whose earlier
 * attempt is in doubt (its worker died mid-send, or the call timed out or lost its connection) is sent
 * again: it may appear twice, never zero times.
 */
@ApplicationScoped
public class TeamsTransport implements ChatTransport {

    /** The platform name. */
    public static final String PLATFORM = "teams";
    static final String USER = "user:";
    static final String WEBHOOK = "webhook:";
    private static final long WEBHOOKS_TTL_MILLIS = 5_000;

    @Inject
    TeamsSettings settings;
    @Inject
    BotConnector connector;
    @Inject
    TeamsConversations conversations;
    @Inject
    DataSource dataSource;
    @Inject
    ChartPng charts;

    private volatile boolean webhooks;
    private volatile long webhooksReadAt;

    @Override
    public String platform() {
        return PLATFORM;
    }

    @Override
    public boolean active() {
        return settings.outbound() || anyWebhook();
    }

    private boolean anyWebhook() {
        long now = System.currentTimeMillis();
        if (now - webhooksReadAt > WEBHOOKS_TTL_MILLIS) {
            webhooks = query("select 1 from team where teams_webhook_url is not null limit 1", null) != null;
            webhooksReadAt = now;
        }
        return webhooks;
    }

    /** Forgets whether any team has a webhook (after an admin changed a team). */
    public void teamsChanged() {
        webhooksReadAt = 0;
    }

    @Override
    public Optional<Address> member(long memberId) {
        if (!settings.outbound()) {
            return Optional.empty();
        }
        String aad = query("select teams_user_id from member where id = ?", memberId);
        if (aad == null) {
            return Optional.empty();
        }
        Optional<TeamsConversations.Ref> chat = conversations.personal(aad);
        if (chat.isPresent()) {
            return Optional.of(new Address(chat.get().tenantId(), chat.get().conversationId()));
        }
        String tenant = settings.tenantId().orElse(null);
        return conversations.anyIn(tenant).map(r -> new Address(tenant, USER + aad));
    }

    @Override
    public Optional<Address> teamChannel(String teamKey) {
        String channel = query("select teams_channel_id from team where key = ?", teamKey);
        if (channel != null && settings.outbound()) {
            String tenant = conversations.byId(channel).map(TeamsConversations.Ref::tenantId)
                    .orElse(settings.tenantId().orElse(null));
            return Optional.of(new Address(tenant, channel));
        }
        String webhook = query("select teams_webhook_url from team where key = ?", teamKey);
        return webhook == null ? Optional.empty() : Optional.of(new Address(null, WEBHOOK + teamKey));
    }

    @Override
    public Result deliver(Outgoing m, Attempt attempt) {
        try {
            if (m.target().startsWith(WEBHOOK)) {
                return webhook(m);
            }
            if (!settings.outbound()) {
                return new Failed("Teams bot not configured (TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID)",
                        true);
            }
            ObjectNode activity = AdaptiveCards.activity(
                    AdaptiveCards.card(m.message(), this::chartPng, conversations::userIds), m.message().text());
            return switch (m.operation()) {
                case POST, RESPOND, UPLOAD -> post(m, activity);
                case UPDATE -> {
                    Sent previous = attempt.previous();
                    Optional<String> serviceUrl = serviceUrl(previous.channel(), m.workspace());
                    if (serviceUrl.isEmpty()) {
                        yield new Failed("no conversation reference for " + previous.channel(), true);
                    }
                    BotConnector.Answer a = connector.update(serviceUrl.get(), previous.channel(), previous.id(),
                            activity);
                    yield a.ok() ? new Sent(previous.id(), previous.channel()) : failed(a);
                }
                case HOME -> new Failed("Teams has no home view", true);
            };
        } catch (IOException e) {
            return new Failed("I/O: " + e.getMessage(), false, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failed("interrupted", false, true);
        }
    }

    private Result post(Outgoing m, ObjectNode activity) throws IOException, InterruptedException {
        String conversation = m.target();
        if (conversation.startsWith(USER)) {
            String aad = conversation.substring(USER.length());
            Optional<TeamsConversations.Ref> known = conversations.personal(aad);
            if (known.isPresent()) {
                conversation = known.get().conversationId();
            } else {
                Optional<TeamsConversations.Ref> any = conversations.anyIn(m.workspace());
                if (any.isEmpty()) {
                    return new Failed("no Teams service URL known for tenant " + m.workspace(), false);
                }
                BotConnector.Answer created = connector.createPersonal(any.get().serviceUrl(), m.workspace(), aad);
                if (!created.ok()) {
                    return failed(created);
                }
                conversation = created.body().path("id").asText();
                conversations.save(new TeamsConversations.Ref(conversation, any.get().serviceUrl(), m.workspace(),
                        "personal", aad, null, null, null));
            }
        }
        Optional<String> serviceUrl = serviceUrl(conversation, m.workspace());
        if (serviceUrl.isEmpty()) {
            return new Failed("no conversation reference for " + conversation, false);
        }
        BotConnector.Answer a = connector.post(serviceUrl.get(), conversation, activity);
        return a.ok() ? new Sent(a.body().path("id").asText(null), conversation) : failed(a);
    }

    private Optional<String> serviceUrl(String conversation, String tenant) {
        return conversations.byId(conversation).or(() -> conversations.anyIn(tenant))
                .map(TeamsConversations.Ref::serviceUrl);
    }

    private Result webhook(Outgoing m) throws IOException, InterruptedException {
        String url = query("select teams_webhook_url from team where key = ?",
                m.target().substring(WEBHOOK.length()));
        if (url == null) {
            return new Failed("the team has no Teams webhook any more", true);
        }
        if (m.operation() == Outgoing.Operation.UPDATE) {
            return new Failed("a Teams webhook cannot update a message", true);
        }
        ObjectNode activity = AdaptiveCards.activity(AdaptiveCards.card(m.message(), this::chartPng), null);
        BotConnector.Answer a = connector.webhook(url, activity);
        return a.ok() ? new Sent(null, m.target()) : failed(a);
    }

    /** The largest chart PNG put in a card: with base64 and the rest it stays under Teams' ~28 KB. */
    static final int MAX_CHART_BYTES = 18_000;

    /** The chart as a PNG small enough for a Teams message: drawn, then scaled down until it fits. */
    byte[] chartPng(dev.yardstick.chat.ChatMessage.Chart chart) {
        byte[] png = charts.draw(chart);
        try {
            java.awt.image.BufferedImage full = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
            double scale = 0.7;
            while (png.length > MAX_CHART_BYTES && scale > 0.2) {
                int w = (int) (full.getWidth() * scale);
                int h = (int) (full.getHeight() * scale);
                java.awt.image.BufferedImage small = new java.awt.image.BufferedImage(w, h,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                java.awt.Graphics2D g = small.createGraphics();
                g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                        java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setRenderingHint(java.awt.RenderingHints.KEY_RENDERING, java.awt.RenderingHints.VALUE_RENDER_QUALITY);
                g.drawImage(full, 0, 0, w, h, null);
                g.dispose();
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                javax.imageio.ImageIO.write(small, "png", out);
                png = out.toByteArray();
                scale -= 0.1;
            }
        } catch (IOException | RuntimeException e) {
            // keep the full-size chart; a refusal shows in the digest deliveries
        }
        return png;
    }

    private static Result failed(BotConnector.Answer a) {
        if (a.status() == 429) {
            return new RetryAfter(retryAfter(a.retryAfter().orElse(null)));
        }
        String error = "HTTP " + a.status()
                + (a.body().has("error") ? ": " + a.body().path("error").path("code").asText("") : "");
        // 400, 401, 403, 404 will not get better by retrying; 5xx and the rest may
        return new Failed(error, a.status() >= 400 && a.status() < 500, a.status() >= 500);
    }

    private static Duration retryAfter(String header) {
        try {
            return Duration.ofSeconds(Math.max(1, Long.parseLong(header.trim())));
        } catch (RuntimeException e) {
            return Duration.ofSeconds(30);
        }
    }

    private String query(String sql, Object param) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (param != null) {
                ps.setObject(1, param);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Teams address lookup failed", e);
        }
    }
}
