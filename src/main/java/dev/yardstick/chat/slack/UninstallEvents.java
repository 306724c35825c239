package dev.yardstick.chat.slack;

import com.slack.api.bolt.App;
import com.slack.api.model.event.AppUninstalledEvent;
import com.slack.api.model.event.TokensRevokedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** {@code app_uninstalled} and {@code tokens_revoked}: the workspace's installation is deleted. */
@ApplicationScoped
public class UninstallEvents implements SlackListener {

    @Inject
    SlackInstallations installations;

    /**
     * Deletes the installation the event is about, as its {@code authorizations} name it: a workspace's, or an
     * org-wide (Enterprise Grid) installation's, whose workspace is none.
     */
    @Override
    public void register(App app) {
        app.event(AppUninstalledEvent.class, (req, ctx) -> {
            installations.deleteAll(ctx.getEnterpriseId(), ctx.getTeamId());
            return ctx.ack();
        });
        app.event(TokensRevokedEvent.class, (req, ctx) -> {
            var bot = req.getEvent().getTokens() == null ? null : req.getEvent().getTokens().getBot();
            if (bot != null && !bot.isEmpty()) {
                installations.deleteAll(ctx.getEnterpriseId(), ctx.getTeamId());
            }
            return ctx.ack();
        });
    }
}
