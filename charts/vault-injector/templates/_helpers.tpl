{{/*
Names follow vault-helm, so object names and labels match an existing installation:
"name" is "vault" (or nameOverride); "fullname" is the release name when it contains "name",
else "<release>-<name>" (or fullnameOverride); objects are "<fullname>-agent-injector*".
*/}}
{{- define "vault-injector.name" -}}
{{- default "vault" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vault-injector.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "vault-injector.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "vault-injector.injectorName" -}}
{{- printf "%s-agent-injector" (include "vault-injector.fullname" .) -}}
{{- end -}}

{{- define "vault-injector.namespace" -}}
{{- default .Release.Namespace .Values.global.namespace -}}
{{- end -}}

{{- define "vault-injector.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* "true" when the injector is rendered: injector.enabled true/"true", or "-" with global.enabled. */}}
{{- define "vault-injector.enabled" -}}
{{- $e := .Values.injector.enabled -}}
{{- if or (eq (toString $e) "true") (and (eq (toString $e) "-") (eq (toString .Values.global.enabled) "true")) -}}
true
{{- end -}}
{{- end -}}

{{/*
"true" when replicas share a leader-managed certificate: several replicas, the chart manages TLS, and
neither leaderElector.enabled nor the often-typed leaderElector.enable is false.
*/}}
{{- define "vault-injector.leader" -}}
{{- $le := .Values.injector.leaderElector | default dict -}}
{{- $on := and (ne (toString (index $le "enabled")) "false") (ne (toString (index $le "enable")) "false") -}}
{{- if and $on (gt (int .Values.injector.replicas) 1) (not .Values.injector.certs.secretName) -}}
true
{{- end -}}
{{- end -}}

{{- define "vault-injector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vault-injector.name" . }}-agent-injector
app.kubernetes.io/instance: {{ .Release.Name }}
component: webhook
{{- end -}}

{{- define "vault-injector.labels" -}}
app.kubernetes.io/name: {{ include "vault-injector.name" . }}-agent-injector
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ include "vault-injector.chart" . }}
{{- end -}}

{{/* The Vault address: global.externalVaultAddr, injector.externalVaultAddr, else vault-helm's server Service. */}}
{{- define "vault-injector.vaultAddr" -}}
{{- if .Values.global.externalVaultAddr -}}
{{- .Values.global.externalVaultAddr -}}
{{- else if .Values.injector.externalVaultAddr -}}
{{- .Values.injector.externalVaultAddr -}}
{{- else -}}
{{- $scheme := ternary "http" "https" (eq (toString .Values.global.tlsDisable) "true") -}}
{{- $port := 8200 -}}
{{- with .Values.server }}{{ with .service }}{{ with .port }}{{ $port = . }}{{ end }}{{ end }}{{ end -}}
{{- printf "%s://%s.%s.svc:%v" $scheme (include "vault-injector.fullname" .) (include "vault-injector.namespace" .) $port -}}
{{- end -}}
{{- end -}}

{{- define "vault-injector.image" -}}
{{- printf "%s:%s" .repository (toString (default .appVersion .tag)) -}}
{{- end -}}

{{/* A value given as YAML or as a templated string, rendered as YAML. */}}
{{- define "vault-injector.tplYaml" -}}
{{- if kindIs "string" .value -}}
{{- tpl .value .root | trim -}}
{{- else -}}
{{- toYaml .value -}}
{{- end -}}
{{- end -}}

{{/*
The webhook's objectSelector: injector.webhook.objectSelector, else the deprecated injector.objectSelector,
with an expression that excludes the injector's own pods always added (a webhook that must admit its own
pods can never start when failurePolicy is Fail).
*/}}
{{- define "vault-injector.objectSelector" -}}
{{- $given := .Values.injector.webhook.objectSelector | default .Values.injector.objectSelector | default dict -}}
{{- $sel := dict -}}
{{- if kindIs "string" $given -}}
{{- $sel = fromYaml (tpl $given .) | default dict -}}
{{- if hasKey $sel "Error" -}}
{{- fail (printf "injector.webhook.objectSelector is not a YAML label selector: %s" (get $sel "Error")) -}}
{{- end -}}
{{- else -}}
{{- $sel = deepCopy $given -}}
{{- end -}}
{{- $self := dict "key" "app.kubernetes.io/name" "operator" "NotIn" "values" (list (printf "%s-agent-injector" (include "vault-injector.name" .))) -}}
{{- $exprs := get $sel "matchExpressions" | default list -}}
{{- if not (has $self $exprs) -}}
{{- $_ := set $sel "matchExpressions" (append $exprs $self) -}}
{{- end -}}
{{- toYaml $sel -}}
{{- end -}}

{{- define "vault-injector.namespaceSelector" -}}
{{- $given := .Values.injector.webhook.namespaceSelector | default .Values.injector.namespaceSelector -}}
{{- if $given -}}
{{- include "vault-injector.tplYaml" (dict "value" $given "root" .) -}}
{{- end -}}
{{- end -}}

{{/* vault-helm's default affinity: replicas on different nodes. */}}
{{- define "vault-injector.defaultAffinity" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - labelSelector:
        matchLabels:
          {{- include "vault-injector.selectorLabels" . | nindent 10 }}
      topologyKey: kubernetes.io/hostname
{{- end -}}
