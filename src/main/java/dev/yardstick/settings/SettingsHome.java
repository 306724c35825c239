package dev.yardstick.settings;

import dev.yardstick.admin.Member;
import dev.yardstick.admin.Team;
import dev.yardstick.admin.TeamSettings;
import dev.yardstick.chat.ChatMessage;
import dev.yardstick.chat.HomePage;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** A manager's part of the home page: a "Team settings" button per team they manage; nothing for anyone else. */
@ApplicationScoped
public class SettingsHome implements HomePage {

    @Override
    public ChatMessage of(Member member) {
        List<Team> managed = QuarkusTransaction.requiringNew().call(() -> TeamSettings.managedBy(member.email));
        if (managed.isEmpty()) {
            return null;
        }
        ChatMessage.Builder b = ChatMessage.builder("Team settings").divider()
                .paragraph(managed.size() == 1
                        ? "You manage team " + SettingsForm.name(managed.get(0).name, managed.get(0).key) + "."
                        : "You manage " + managed.size() + " teams.");
        // one row each: Slack wants a button's action id unique within its row
        for (Team t : managed.subList(0, Math.min(managed.size(), 20))) {
            b.buttons(new ChatMessage.Button(SettingsCommand.OPEN,
                    managed.size() == 1 ? "Team settings" : "Settings: " + t.key, t.key, null));
        }
        return b.build();
    }

    @Override
    public int order() {
        return 100;
    }
}
