{{/* Object names: {fullname}-{component}. */}}
{{- define "serving-platform.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "serving-platform.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object; pass (dict "root" $ "component" "gateway"). */}}
{{- define "serving-platform.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ include "serving-platform.name" .root }}
{{ include "serving-platform.selectorLabels" . }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "serving-platform.selectorLabels" -}}
app.kubernetes.io/name: {{ include "serving-platform.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* {registry}/{repository}/{name}:{tag}; pass (dict "root" $ "image" .Values.gateway.image). */}}
{{- define "serving-platform.image" -}}
{{- $global := .root.Values.image -}}
{{- $registry := default $global.registry .image.registry -}}
{{- $repository := default $global.repository .image.repository -}}
{{- $tag := default (default .root.Chart.AppVersion $global.tag) .image.tag -}}
{{- if eq (default "cpu" .image.variant) "cuda" }}{{ $tag = printf "%s-cuda" $tag }}{{ end -}}
{{- $path := .image.name -}}
{{- if $repository }}{{ $path = printf "%s/%s" $repository .image.name }}{{ end -}}
{{- if $registry }}{{ $path = printf "%s/%s" $registry $path }}{{ end -}}
{{- printf "%s:%s" $path $tag -}}
{{- end -}}

{{- define "serving-platform.redisAddress" -}}
{{- if .Values.redis.enabled -}}
{{- printf "%s-redis.%s.svc:%d" (include "serving-platform.fullname" .) .Release.Namespace (int .Values.redis.port) -}}
{{- else -}}
{{- required "redis.externalAddress (host:port) is required when redis.enabled is false" .Values.redis.externalAddress -}}
{{- end -}}
{{- end -}}

{{- define "serving-platform.scalerAddress" -}}
{{- printf "%s-scaler.%s.svc:%d" (include "serving-platform.fullname" .) .Release.Namespace (int .Values.scaler.port) -}}
{{- end -}}

{{/* Pod-level parts every platform pod shares; pass (dict "root" $ "values" .Values.gateway). */}}
{{- define "serving-platform.podCommon" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* PodDisruptionBudget: policy/v1 where served (1.21+; helm template assumes it is), else policy/v1beta1. */}}
{{- define "serving-platform.pdb" -}}
{{- $values := index .root.Values .component -}}
{{- if and $values.podDisruptionBudget.enabled (or (gt (int $values.replicas) 1) (and (eq .component "gateway") .root.Values.gateway.autoscaling.enabled)) }}
apiVersion: {{ if .root.Capabilities.APIVersions.Has "policy/v1" }}policy/v1{{ else }}policy/v1beta1{{ end }}
kind: PodDisruptionBudget
metadata:
  name: {{ include "serving-platform.fullname" .root }}-{{ .component }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "serving-platform.labels" . | nindent 4 }}
spec:
  minAvailable: {{ $values.podDisruptionBudget.minAvailable }}
  selector:
    matchLabels:
      {{- include "serving-platform.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}
