{{/* The chart's name, or nameOverride. */}}
{{- define "chatops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the prefix of every object's name. */}}
{{- define "chatops.fullname" -}}
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

{{- define "chatops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chatops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "chatops.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "chatops.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "chatops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chatops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "chatops.leaseName" -}}
{{- default (include "chatops.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "chatops.checkpointConfigMap" -}}
{{- default (printf "%s-audit-checkpoint" (include "chatops.fullname" .)) .Values.auditCheckpoint.configMap.name }}
{{- end }}

{{/* The chart's own ConfigMap of files (policy.yaml, alert-rules.yaml), or "" when none. */}}
{{- define "chatops.configMapName" -}}
{{- if or (and .Values.policy.content (not .Values.policy.existingConfigMap)) .Values.alertRules.content }}
{{- printf "%s-config" (include "chatops.fullname" .) }}
{{- end }}
{{- end }}

{{/* The ConfigMap the policy file comes from, or "" when the bot runs without one. */}}
{{- define "chatops.policyConfigMap" -}}
{{- if .Values.policy.existingConfigMap }}
{{- .Values.policy.existingConfigMap }}
{{- else if .Values.policy.content }}
{{- include "chatops.configMapName" . }}
{{- end }}
{{- end }}
