#!/usr/bin/env bash
# Yardstick's Claude Code hook: tells Yardstick where a coding session works (repository and branch), so that the
# spend of the session counts towards the pull request of that branch (docs/connect-claude-code.md#sessions).
#
# Install it as a SessionStart hook (and, to follow branch switches, as a UserPromptSubmit hook too) in Claude
# Code's managed settings; it needs YARDSTICK_URL and YARDSTICK_INGEST_TOKEN in the environment (the settings'
# "env" block). It reads the hook's JSON on stdin (session_id, cwd), asks git for the origin remote, the branch
# and the commit, and posts {"sessionId", "repository", "branch", "headSha"} to $YARDSTICK_URL/api/v1/sessions.
#
# It can never block or slow a session: it prints nothing, always exits 0, and returns at once. The post runs in
# the background, bounded by curl --max-time 2; without git, outside a repository, without curl, without the
# variables or with Yardstick down, it does nothing.

post() {
    local input=""
    IFS= read -r -d '' -t 1 input || true
    [ -n "${YARDSTICK_URL:-}" ] && [ -n "${YARDSTICK_INGEST_TOKEN:-}" ] || return 0
    command -v git >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 || return 0

    local session cwd
    session=$(printf '%s' "$input" | sed -n 's/.*"session_id"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)
    cwd=$(printf '%s' "$input" | sed -n 's/.*"cwd"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1)
    [ -n "$session" ] || return 0
    [ -n "$cwd" ] && [ -d "$cwd" ] || cwd=$PWD

    local url branch sha owner name repository
    url=$(git -C "$cwd" remote get-url origin 2>/dev/null) || return 0
    branch=$(git -C "$cwd" rev-parse --abbrev-ref HEAD 2>/dev/null) || return 0
    [ -n "$branch" ] && [ "$branch" != "HEAD" ] || return 0
    sha=$(git -C "$cwd" rev-parse HEAD 2>/dev/null) || sha=""

    # git@github.com:acme/widgets.git, ssh://git@github.com/acme/widgets, https://github.com/acme/widgets.git
    url=${url%/}
    url=${url%.git}
    name=${url##*/}
    owner=${url%/*}
    owner=${owner##*[/:]}
    [ -n "$owner" ] && [ -n "$name" ] && [ "$owner" != "$url" ] || return 0
    repository="$owner/$name"

    local body
    body=$(printf '{"sessionId":"%s","repository":"%s","branch":"%s"%s}' "$(escape "$session")" \
        "$(escape "$repository")" "$(escape "$branch")" "${sha:+,\"headSha\":\"$sha\"}")
    # the token goes to curl on stdin (a config line), never on its command line where ps would show it
    (printf 'header = "Authorization: Bearer %s"\n' "$YARDSTICK_INGEST_TOKEN" \
        | curl -sS -o /dev/null --max-time 2 --connect-timeout 1 -K - -X POST \
            -H 'Content-Type: application/json' --data-binary "$body" "${YARDSTICK_URL%/}/api/v1/sessions" \
            >/dev/null 2>&1 &)
    return 0
}

escape() {
    local s=${1//\\/\\\\}
    printf '%s' "${s//\"/\\\"}"
}

post >/dev/null 2>&1 </dev/stdin
exit 0
