#!/usr/bin/env bash
# Builds the Teams app package (target/yardstick-teams-app.zip) from this directory:
# manifest.json with its placeholders filled in, and the two icons.
#
#   TEAMS_APP_ID=<the Azure Bot's Microsoft App ID> YARDSTICK_HOST=yardstick.example.com docs/teams-app/build.sh
#
# Upload the zip in Teams (Apps > Manage your apps > Upload an app) or in the Teams admin center.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$here/../../target/yardstick-teams-app.zip}"
: "${TEAMS_APP_ID:?set TEAMS_APP_ID to the Microsoft App ID of the bot}"
: "${YARDSTICK_HOST:?set YARDSTICK_HOST to the public host name of the service, e.g. yardstick.example.com}"
if ! [[ "$TEAMS_APP_ID" =~ ^[0-9a-fA-F-]{36}$ ]]; then
  echo "TEAMS_APP_ID must be a GUID such as 00000000-0000-0000-0000-000000000000" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed -e "s/\${{TEAMS_APP_ID}}/$TEAMS_APP_ID/g" -e "s/\${{YARDSTICK_HOST}}/$YARDSTICK_HOST/g" \
  "$here/manifest.json" > "$work/manifest.json"
if grep -q '\${{' "$work/manifest.json"; then
  echo "manifest.json still has a placeholder:" >&2
  grep '\${{' "$work/manifest.json" >&2
  exit 1
fi
cp "$here/color.png" "$here/outline.png" "$work/"
mkdir -p "$(dirname "$out")"
rm -f "$out"
# jar comes with the JDK the service needs anyway; M: no META-INF, the package holds exactly three files
(cd "$work" && jar cfM "$out" manifest.json color.png outline.png)
echo "$out"
