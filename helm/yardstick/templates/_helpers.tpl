{{/* The chart name. */}}
{{- define "yardstick.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the release's resources. */}}
{{- define "yardstick.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "yardstick.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the pods. */}}
{{- define "yardstick.selectorLabels" -}}
app.kubernetes.io/name: {{ include "yardstick.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Standard labels of every resource. */}}
{{- define "yardstick.labels" -}}
helm.sh/chart: {{ include "yardstick.chart" . }}
{{ include "yardstick.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: yardstick
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of the `helm test` pod: the release's, but not the selector of the Service or the NetworkPolicy. */}}
{{- define "yardstick.testLabels" -}}
helm.sh/chart: {{ include "yardstick.chart" . }}
app.kubernetes.io/name: {{ include "yardstick.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: yardstick
{{- end }}

{{/* The ServiceAccount's name. */}}
{{- define "yardstick.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "yardstick.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference: registry/repository, then @digest or :tag (default: appVersion). */}}
{{- define "yardstick.image" -}}
{{- $repo := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repo = printf "%s/%s" .Values.image.registry .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{/* The JDBC URL of the external PostgreSQL; fails without postgresql.host. */}}
{{- define "yardstick.jdbcUrl" -}}
{{- $pg := .Values.postgresql }}
{{- $host := required "postgresql.host is required: this chart runs Yardstick on an external PostgreSQL (13+) and never starts the embedded one. Set postgresql.host (and database, username, existingSecret)." $pg.host }}
{{- $url := printf "jdbc:postgresql://%s:%v/%s" $host $pg.port $pg.database }}
{{- if $pg.jdbcParameters }}
{{- $url = printf "%s?%s" $url (trimPrefix "?" $pg.jdbcParameters) }}
{{- end }}
{{- $url }}
{{- end }}

{{/* Name of the Secret the chart creates for values given inline. */}}
{{- define "yardstick.secretName" -}}
{{- include "yardstick.fullname" . }}
{{- end }}

{{/*
Secret groups: for each values group, the environment variable (also the key in the group's
existingSecret or in the chart's Secret) and the value that holds it.
*/}}
{{- define "yardstick.secretGroups" -}}
admin:
  YARDSTICK_ADMIN_TOKEN: token
  YARDSTICK_READER_TOKEN: readerToken
  YARDSTICK_SCIM_TOKEN: scimToken
  YARDSTICK_IMAGES_SECRET: imagesSecret
slack:
  SLACK_SIGNING_SECRET: signingSecret
  SLACK_BOT_TOKEN: botToken
  SLACK_CLIENT_ID: clientId
  SLACK_CLIENT_SECRET: clientSecret
teams:
  TEAMS_APP_PASSWORD: appPassword
webhooks:
  GITHUB_WEBHOOK_SECRET: githubSecret
  LINEAR_WEBHOOK_SECRET: linearSecret
  JIRA_WEBHOOK_SECRET: jiraSecret
connectors:
  ANTHROPIC_ADMIN_KEY: anthropicAdminKey
  OPENAI_ADMIN_KEY: openaiAdminKey
  CURSOR_ADMIN_KEY: cursorAdminKey
  GITHUB_TOKEN: githubToken
limits:
  LITELLM_MASTER_KEY: litellmMasterKey
  LITELLM_WEBHOOK_SECRET: litellmWebhookSecret
{{- end }}

{{/* The data of the chart's Secret (env name: value), for the groups given inline; may be empty. */}}
{{- define "yardstick.inlineSecretData" -}}
{{- $data := dict }}
{{- range $group, $keys := include "yardstick.secretGroups" . | fromYaml }}
{{- $values := index $.Values $group }}
{{- if not $values.existingSecret }}
{{- range $env, $field := $keys }}
{{- with index $values $field }}
{{- $_ := set $data $env (toString .) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- if and (not .Values.postgresql.existingSecret) .Values.postgresql.password }}
{{- $_ := set $data "QUARKUS_DATASOURCE_PASSWORD" (toString .Values.postgresql.password) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/* Container env: the database, then every secret, each read with secretKeyRef. */}}
{{- define "yardstick.secretEnv" -}}
- name: QUARKUS_DATASOURCE_JDBC_URL
  value: {{ include "yardstick.jdbcUrl" . | quote }}
- name: QUARKUS_DATASOURCE_USERNAME
  value: {{ .Values.postgresql.username | quote }}
{{- if .Values.postgresql.existingSecret }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ tpl .Values.postgresql.existingSecret . }}
      key: {{ .Values.postgresql.passwordKey }}
{{- else if .Values.postgresql.password }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "yardstick.secretName" . }}
      key: QUARKUS_DATASOURCE_PASSWORD
{{- end }}
{{- range $group, $keys := include "yardstick.secretGroups" . | fromYaml }}
{{- $values := index $.Values $group }}
{{- range $env, $field := $keys }}
{{- if $values.existingSecret }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef:
      name: {{ tpl $values.existingSecret $ }}
      key: {{ $env }}
      optional: true
{{- else if index $values $field }}
- name: {{ $env }}
  valueFrom:
    secretKeyRef:
      name: {{ include "yardstick.secretName" $ }}
      key: {{ $env }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Whether a PodDisruptionBudget is created ("true" or ""). */}}
{{- define "yardstick.pdbEnabled" -}}
{{- $e := .Values.podDisruptionBudget.enabled }}
{{- if kindIs "bool" $e }}
{{- if $e }}true{{ end }}
{{- else if eq (toString $e) "auto" }}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- else }}
{{- fail (printf "podDisruptionBudget.enabled must be true, false or \"auto\", not %v" $e) }}
{{- end }}
{{- end }}

{{/* The timing fields of a probe's values. */}}
{{- define "yardstick.probeTiming" -}}
initialDelaySeconds: {{ .initialDelaySeconds }}
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
{{- with .successThreshold }}
successThreshold: {{ . }}
{{- end }}
{{- end }}
