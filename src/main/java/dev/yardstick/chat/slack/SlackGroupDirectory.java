package dev.yardstick.chat.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.usergroups.users.UsergroupsUsersListResponse;
import com.slack.api.methods.response.users.UsersInfoResponse;
import com.slack.api.model.User;
import dev.yardstick.admin.GroupDirectory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Slack user groups for {@link dev.yardstick.admin.SlackGroupSync}: {@code usergroups.users.list} (scope
 * {@code usergroups:read}; one call answers every member) and {@code users.info} (the profile email needs
 * {@code users:read.email}). A 429 is waited out for its {@code Retry-After} (at most a minute, three times). In
 * distributed (OAuth) mode the group is looked for in every installed workspace.
 */
@ApplicationScoped
public class SlackGroupDirectory implements GroupDirectory {

    private static final int ATTEMPTS = 3;
    private static final Duration MAX_WAIT = Duration.ofMinutes(1);

    @Inject
    SlackRuntime slack;
    @Inject
    SlackSettings settings;
    @Inject
    SlackInstallations installations;

    @FunctionalInterface
    private interface Call<T> {

        T call() throws IOException, SlackApiException;
    }

    @Override
    public boolean available() {
        return slack.canSend();
    }

    @Override
    public Group members(String groupId) {
        List<String> workspaces = new ArrayList<>();
        if (settings.oauth()) {
            workspaces.addAll(installations.teamIds());
        } else {
            workspaces.add(null); // the single workspace of SLACK_BOT_TOKEN
        }
        String error = "no_such_subteam";
        String needed = null;
        for (String workspace : workspaces) {
            Optional<MethodsClient> client = slack.client(workspace);
            if (client.isEmpty()) {
                continue;
            }
            UsergroupsUsersListResponse r = call("usergroups.users.list",
                    () -> client.get().usergroupsUsersList(req -> req.usergroup(groupId)));
            if (r.isOk()) {
                return new Group(workspace, r.getUsers() == null ? List.of() : List.copyOf(r.getUsers()));
            }
            if (!"no_such_subteam".equals(r.getError())) {
                error = r.getError();
                needed = r.getNeeded();
                break;
            }
        }
        throw new Failure(explain("usergroups.users.list", groupId, error, needed));
    }

    @Override
    public Optional<Person> person(String workspaceId, String userId) {
        MethodsClient client = slack.client(workspaceId)
                .orElseThrow(() -> new Failure("users.info: the Slack app is not installed in workspace "
                        + workspaceId + "."));
        UsersInfoResponse r = call("users.info", () -> client.usersInfo(req -> req.user(userId)));
        if (!r.isOk()) {
            throw new Failure(explain("users.info", userId, r.getError(), r.getNeeded()));
        }
        User u = r.getUser();
        if (u == null || u.isBot() || u.isDeleted() || u.isAppUser()) {
            return Optional.empty();
        }
        String email = u.getProfile() == null || u.getProfile().getEmail() == null
                || u.getProfile().getEmail().isBlank()
                        ? null
                        : u.getProfile().getEmail().trim().toLowerCase(Locale.ROOT);
        String name = u.getProfile() != null && u.getProfile().getRealName() != null
                && !u.getProfile().getRealName().isBlank() ? u.getProfile().getRealName() : u.getRealName();
        return Optional.of(new Person(userId, u.getTeamId() == null ? workspaceId : u.getTeamId(), email,
                name == null || name.isBlank() ? null : name.strip()));
    }

    private static <T> T call(String method, Call<T> call) {
        for (int attempt = 1;; attempt++) {
            try {
                return call.call();
            } catch (SlackApiException e) {
                int code = e.getResponse().code();
                if (code != 429 || attempt >= ATTEMPTS) {
                    throw new Failure(method + ": Slack answered HTTP " + code + ".");
                }
                try {
                    Thread.sleep(retryAfter(e.getResponse().header("Retry-After")).toMillis());
                } catch (InterruptedException i) {
                    Thread.currentThread().interrupt();
                    throw new Failure(method + ": interrupted while waiting out Slack's rate limit.");
                }
            } catch (IOException e) {
                throw new Failure(method + ": Slack could not be reached (" + e.getMessage() + ").");
            }
        }
    }

    private static Duration retryAfter(String header) {
        try {
            Duration d = Duration.ofSeconds(Math.max(1, Long.parseLong(header.trim())));
            return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
        } catch (RuntimeException e) {
            return Duration.ofSeconds(30);
        }
    }

    private static String explain(String method, String id, String error, String needed) {
        String why = switch (error == null ? "" : error) {
            case "no_such_subteam" -> "Slack knows no user group " + id + " in any workspace the app is installed in";
            case "missing_scope" -> "the Slack app lacks the scope "
                    + (needed != null ? needed : method.startsWith("usergroups") ? "usergroups:read" : "users:read")
                    + "; add it (docs/slack-app-manifest.yaml) and reinstall the app";
            case "plan_upgrade_required" -> "user groups need a paid Slack plan";
            case "user_not_found" -> "Slack knows no user " + id;
            default -> "Slack answered " + error + " for " + id;
        };
        return method + ": " + why + " (" + error + ").";
    }
}
