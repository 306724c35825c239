package dev.yardstick.chat.slack;

import com.slack.api.bolt.model.Bot;
import com.slack.api.bolt.model.Installer;
import com.slack.api.bolt.model.builtin.DefaultBot;
import com.slack.api.bolt.model.builtin.DefaultInstaller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Installations of the distributed app, kept in PostgreSQL (table {@code slack_installation}), keyed by enterprise
 * and workspace: one row per workspace, or, for an app installed org-wide on Enterprise Grid
 * ({@code is_enterprise_install}), one row for the enterprise with no workspace. A reinstall replaces the row,
 * {@code app_uninstalled} and {@code tokens_revoked} delete it. Which enterprise a workspace belongs to is kept from
 * Slack's requests ({@code slack_workspace}), so that a message to a workspace of an org-wide installation is sent
 * with that installation's token.
 */
@ApplicationScoped
public class SlackInstallations implements com.slack.api.bolt.service.InstallationService {

    @Inject
    DataSource dataSource;

    private final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    public boolean isHistoricalDataEnabled() {
        return false;
    }

    @Override
    public void setHistoricalDataEnabled(boolean enabled) {
        // one row per workspace; no history
    }

    @Override
    public void saveInstallerAndBot(Installer i) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into slack_installation (enterprise_id, team_id, app_id, bot_user_id, bot_id, bot_token,
                    bot_scope, installer_user_id, installed_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, now())
                on conflict on constraint slack_installation_key do update set app_id = excluded.app_id,
                    bot_user_id = excluded.bot_user_id, bot_id = excluded.bot_id, bot_token = excluded.bot_token,
                    bot_scope = excluded.bot_scope, installer_user_id = excluded.installer_user_id,
                    installed_at = now()
                """)) {
            ps.setString(1, i.getEnterpriseId());
            ps.setString(2, Boolean.TRUE.equals(i.getIsEnterpriseInstall()) ? null : i.getTeamId());
            ps.setString(3, i.getAppId());
            ps.setString(4, i.getBotUserId());
            ps.setString(5, i.getBotId());
            ps.setString(6, i.getBotAccessToken());
            ps.setString(7, i.getBotScope());
            ps.setString(8, i.getInstallerUserId());
            ps.executeUpdate();
        }
    }

    @Override
    public void deleteBot(Bot bot) {
        deleteAll(bot.getEnterpriseId(), bot.getTeamId());
    }

    @Override
    public void deleteInstaller(Installer installer) {
        deleteAll(installer.getEnterpriseId(), installer.getTeamId());
    }

    @Override
    public void deleteAll(String enterpriseId, String teamId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "delete from slack_installation where enterprise_id is not distinct from ? and team_id is not distinct from ?")) {
            ps.setString(1, enterpriseId);
            ps.setString(2, teamId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Bot findBot(String enterpriseId, String teamId) {
        return find(enterpriseId, teamId).map(row -> {
            DefaultBot bot = new DefaultBot();
            bot.setEnterpriseId(row.enterpriseId);
            bot.setTeamId(row.teamId);
            bot.setAppId(row.appId);
            bot.setBotId(row.botId);
            bot.setBotUserId(row.botUserId);
            bot.setBotAccessToken(row.botToken);
            bot.setBotScope(row.botScope);
            bot.setIsEnterpriseInstall(row.teamId == null);
            return (Bot) bot;
        }).orElse(null);
    }

    @Override
    public Installer findInstaller(String enterpriseId, String teamId, String userId) {
        return find(enterpriseId, teamId).map(row -> {
            DefaultInstaller i = new DefaultInstaller();
            i.setEnterpriseId(row.enterpriseId);
            i.setTeamId(row.teamId);
            i.setAppId(row.appId);
            i.setBotId(row.botId);
            i.setBotUserId(row.botUserId);
            i.setBotAccessToken(row.botToken);
            i.setBotScope(row.botScope);
            i.setInstallerUserId(row.installerUserId);
            i.setIsEnterpriseInstall(row.teamId == null);
            return (Installer) i;
        }).orElse(null);
    }

    /**
     * The bot token that reaches a workspace: its own installation's, else that of its enterprise's org-wide
     * installation.
     */
    public Optional<String> botToken(String teamId) {
        return find(null, teamId).map(r -> r.botToken);
    }

    /** Remembers that a workspace belongs to an enterprise, as a request from it says (written once per pair). */
    public void workspaceSeen(String enterpriseId, String teamId) {
        if (enterpriseId == null || teamId == null || enterpriseId.isBlank() || teamId.isBlank()
                || seen.contains(teamId + "/" + enterpriseId)) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                insert into slack_workspace (team_id, enterprise_id) values (?, ?)
                on conflict (team_id) do update set enterprise_id = excluded.enterprise_id, seen_at = now()
                """)) {
            ps.setString(1, teamId);
            ps.setString(2, enterpriseId);
            ps.executeUpdate();
            seen.add(teamId + "/" + enterpriseId);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The workspaces the app is installed in (enterprise-wide installs aside), by id. */
    public java.util.List<String> teamIds() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select team_id from slack_installation where team_id is not null order by team_id");
                ResultSet rs = ps.executeQuery()) {
            java.util.List<String> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Row(String enterpriseId, String teamId, String appId, String botId, String botUserId,
            String botToken, String botScope, String installerUserId) {
    }

    private Optional<Row> find(String enterpriseId, String teamId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select enterprise_id, team_id, app_id, bot_id, bot_user_id, bot_token, bot_scope, installer_user_id
                from slack_installation
                where (team_id = ?) or (team_id is null and enterprise_id = coalesce(?,
                    (select w.enterprise_id from slack_workspace w where w.team_id = ?)))
                order by team_id nulls last limit 1
                """)) {
            ps.setString(1, teamId);
            ps.setString(2, enterpriseId);
            ps.setString(3, teamId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Row(rs.getString(1), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
