package dev.yardstick.chat.slack;

import com.slack.api.bolt.App;
import com.slack.api.model.event.AppHomeOpenedEvent;
import dev.yardstick.chat.Inbound;
import dev.yardstick.chat.MessageKey;
import dev.yardstick.chat.Messenger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** {@code app_home_opened}: publishes the person's own dashboard (this week, 8 weeks, pending requests). */
@ApplicationScoped
public class AppHomeOpened implements SlackListener {

    @Inject
    SlackIdentity identity;
    @Inject
    Inbound inbound;
    @Inject
    AiSpendCommand commands;
    @Inject
    Messenger messenger;
    @Inject
    SlackBackground background;

    @Override
    public void register(App app) {
        app.event(AppHomeOpenedEvent.class, (req, ctx) -> {
            AppHomeOpenedEvent e = req.getEvent();
            if (!"home".equals(e.getTab())) {
                return ctx.ack();
            }
            if (e.getUser() == null || e.getUser().isBlank()) {
                throw new SlackServlets.Malformed("an app_home_opened event without its user");
            }
            String teamId = req.getTeamId();
            background.run(() -> {
                var home = inbound.home(commands.origin(teamId, identity.resolve(teamId, e.getUser())))
                        .orElseGet(SlackReplies::notLinked);
                messenger.publishHome("slack", teamId, e.getUser(), MessageKey.of("home", e.getUser(), e.getEventTs()),
                        home);
            });
            return ctx.ack();
        });
    }
}
