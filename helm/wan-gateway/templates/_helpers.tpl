{{/* Chart name, shortened to the 63 characters Kubernetes allows in a label. */}}
{{- define "wan-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: <release>-<chart>, or the release name when it already holds the chart name. */}}
{{- define "wan-gateway.fullname" -}}
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

{{/* Name of the GPU worker objects. */}}
{{- define "wan-gateway.workerName" -}}
{{- printf "%s-worker" (include "wan-gateway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wan-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "wan-gateway.labels" -}}
helm.sh/chart: {{ include "wan-gateway.chart" . }}
app.kubernetes.io/name: {{ include "wan-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: wan-gateway
{{- end }}

{{/* Selector labels of the API replicas (component keeps them apart from the workers). */}}
{{- define "wan-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wan-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end }}

{{/* Selector labels of the GPU workers. */}}
{{- define "wan-gateway.workerSelectorLabels" -}}
app.kubernetes.io/name: {{ include "wan-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end }}

{{- define "wan-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wan-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "wan-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The workers' image: the CUDA build of the same gateway, falling back to the API image. */}}
{{- define "wan-gateway.workerImage" -}}
{{- printf "%s:%s" (default .Values.image.repository .Values.workers.image.repository) (default (default .Chart.AppVersion .Values.image.tag) .Values.workers.image.tag) }}
{{- end }}

{{/*
True ("true") when the cluster serves the API version given as .api, or it is listed in extraApiVersions
(helm template sees no cluster). Call with (dict "root" $ "api" "monitoring.coreos.com/v1").
*/}}
{{- define "wan-gateway.hasApi" -}}
{{- if or (.root.Capabilities.APIVersions.Has .api) (has .api .root.Values.extraApiVersions) }}true{{ end }}
{{- end }}

{{/* cuda:0,cuda:1,... for the GPUs a worker pod is given. */}}
{{- define "wan-gateway.cudaDevices" -}}
{{- $devices := list }}
{{- range $i := until (int .Values.workers.gpu.count) }}{{ $devices = append $devices (printf "cuda:%d" $i) }}{{ end }}
{{- join "," $devices }}
{{- end }}

{{/* True ("true") when more than one pod reads and writes jobs and results. */}}
{{- define "wan-gateway.shared" -}}
{{- if or .Values.workers.enabled .Values.gateway.autoscaling.enabled (gt (int .Values.gateway.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/* Rejects value combinations that would install but not work, naming the values to change. */}}
{{- define "wan-gateway.validate" -}}
{{- if and .Values.backends.local.enabled (not .Values.workers.enabled) }}
{{- fail "backends.local.enabled needs workers.enabled: the API replicas have no GPU" }}
{{- end }}
{{- if and .Values.workers.enabled (not .Values.backends.local.enabled) }}
{{- fail "workers.enabled needs backends.local.enabled: otherwise no local job reaches the workers" }}
{{- end }}
{{- if not (or .Values.backends.local.enabled .Values.backends.cloud.enabled) }}
{{- fail "enable at least one of backends.cloud.enabled and backends.local.enabled" }}
{{- end }}
{{- if and .Values.backends.cloud.enabled (not .Values.backends.cloud.apiKey.existingSecret) }}
{{- fail "backends.cloud.enabled needs backends.cloud.apiKey.existingSecret (the name of a Secret holding the DashScope API key)" }}
{{- end }}
{{- if and (include "wan-gateway.shared" .) (not .Values.postgresql.enabled) }}
{{- fail "workers, autoscaling or gateway.replicaCount > 1 need postgresql.enabled: the embedded job store lives in one pod" }}
{{- end }}
{{- if and .Values.postgresql.enabled (not .Values.postgresql.host) }}
{{- fail "postgresql.enabled needs postgresql.host" }}
{{- end }}
{{- if and .Values.sourceLinks.publicBaseUrl (not .Values.sourceLinks.secret.existingSecret) }}
{{- fail "sourceLinks.publicBaseUrl needs sourceLinks.secret.existingSecret (the name of a Secret holding the links' HMAC key)" }}
{{- end }}
{{- if and .Values.sourceLinks.secret.existingSecret (not .Values.sourceLinks.publicBaseUrl) }}
{{- fail "sourceLinks.secret.existingSecret needs sourceLinks.publicBaseUrl (the gateway's address as the provider reaches it)" }}
{{- end }}
{{- if and .Values.postgresql.enabled (not .Values.postgresql.auth.existingSecret) }}
{{- fail "postgresql.enabled needs postgresql.auth.existingSecret (the name of a Secret holding the user name and password)" }}
{{- end }}
{{- if and (include "wan-gateway.shared" .) (eq .Values.storage.type "local") (not .Values.storage.local.existingClaim) }}
{{- fail "workers or several API replicas need shared result storage: set storage.type=s3 or storage.local.existingClaim (ReadWriteMany)" }}
{{- end }}
{{- if and (eq .Values.storage.type "s3") (not .Values.storage.s3.bucket) }}
{{- fail "storage.type=s3 needs storage.s3.bucket" }}
{{- end }}
{{- if and .Values.workers.enabled (not (or .Values.workers.models.existingClaim .Values.workers.models.hostPath)) }}
{{- fail "workers.enabled needs workers.models.existingClaim or workers.models.hostPath (the Diffusers model folders)" }}
{{- end }}
{{- if and .Values.workers.enabled .Values.workers.keda.enabled (not (include "wan-gateway.hasApi" (dict "root" . "api" "keda.sh/v1alpha1"))) }}
{{- fail "workers.keda.enabled needs the KEDA CRDs (keda.sh/v1alpha1): install KEDA first, or list the API in extraApiVersions when rendering without a cluster" }}
{{- end }}
{{- end }}

{{/*
Environment of the API replicas and the workers: secrets by reference only, never inline. Called with
(dict "root" $ "worker" true|false): workers never get the DashScope key, since a job that falls back to the
cloud is handed over to an API replica, so GPU nodes hold no paid credential.
*/}}
{{- define "wan-gateway.env" -}}
{{- $worker := .worker }}
{{- with .root -}}
- name: JAVA_TOOL_OPTIONS
  value: {{ ternary .Values.workers.javaToolOptions .Values.javaToolOptions $worker | quote }}
{{- /* The root filesystem is read-only: JavaCPP (libtorch, FFmpeg) and DJL unpack their native libraries under
$HOME, so point it at the writable /tmp volume. */}}
- name: HOME
  value: /tmp
- name: SPRING_CONFIG_ADDITIONAL_LOCATION
  value: optional:file:/etc/wan-gateway/
{{- if and .Values.backends.cloud.enabled (not $worker) }}
{{- /* application.yaml reads gateway.cloud.api-key from DASHSCOPE_API_KEY. */}}
- name: DASHSCOPE_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.backends.cloud.apiKey.existingSecret }}
      key: {{ .Values.backends.cloud.apiKey.key }}
{{- end }}
{{- if and .Values.backends.cloud.enabled (not $worker) }}
{{- range $source := .Values.backends.cloud.sources }}
{{- if $source.apiKeySecret }}
- name: {{ include "wan-gateway.cloudSourceKeyEnv" $source.name }}
  valueFrom:
    secretKeyRef:
      name: {{ $source.apiKeySecret.name }}
      key: {{ $source.apiKeySecret.key }}
{{- end }}
{{- end }}
{{- end }}
{{- if not $worker }}
{{- range $engine := .Values.backends.remote.engines }}
{{- if $engine.apiKeySecret }}
- name: {{ include "wan-gateway.remoteKeyEnv" $engine.name }}
  valueFrom:
    secretKeyRef:
      name: {{ $engine.apiKeySecret.name }}
      key: {{ $engine.apiKeySecret.key }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.webhooks.signingSecret }}
{{- if .existingSecret }}
- name: GATEWAY_WEBHOOKS_SIGNING_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- with .Values.sourceLinks.secret }}
{{- if and .existingSecret (not $worker) }}
{{- /* configmap.yaml reads gateway.api.source-links.secret from it; only the API replicas make links. */}}
- name: GATEWAY_SOURCE_LINKS_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- if .Values.postgresql.enabled }}
- name: SPRING_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .Values.postgresql.auth.existingSecret }}
      key: {{ .Values.postgresql.auth.usernameKey }}
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.postgresql.auth.existingSecret }}
      key: {{ .Values.postgresql.auth.passwordKey }}
{{- end }}
{{- if and (eq .Values.storage.type "s3") .Values.storage.s3.auth.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.s3.auth.existingSecret }}
      key: {{ .Values.storage.s3.auth.accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.s3.auth.existingSecret }}
      key: {{ .Values.storage.s3.auth.secretAccessKeyKey }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
{{- end }}

{{/* Volumes shared by both pod kinds: the config, a writable /tmp and the results volume. */}}
{{- define "wan-gateway.volumes" -}}
- name: config
  configMap:
    name: {{ include "wan-gateway.fullname" . }}
- name: tmp
  emptyDir: {}
{{- if not .Values.postgresql.enabled }}
- name: data
  emptyDir: {}
{{- end }}
{{- if eq .Values.storage.type "local" }}
- name: results
  {{- if .Values.storage.local.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.storage.local.existingClaim }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end }}
{{- end }}

{{- define "wan-gateway.volumeMounts" -}}
- name: config
  mountPath: /etc/wan-gateway
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if not .Values.postgresql.enabled }}
- name: data
  mountPath: /var/lib/wan-gateway/data
{{- end }}
{{- if eq .Values.storage.type "local" }}
- name: results
  mountPath: {{ .Values.storage.local.path }}
{{- end }}
{{- end }}

{{/* The three probes on the actuator health groups; .probes is gateway or workers from values. */}}
{{- define "wan-gateway.probes" -}}
livenessProbe:
  httpGet:
    path: /actuator/health/liveness
    port: management
  periodSeconds: {{ .probes.livenessProbe.periodSeconds }}
  failureThreshold: {{ .probes.livenessProbe.failureThreshold }}
  timeoutSeconds: {{ .probes.livenessProbe.timeoutSeconds }}
readinessProbe:
  httpGet:
    path: /actuator/health/readiness
    port: management
  periodSeconds: {{ .probes.readinessProbe.periodSeconds }}
  failureThreshold: {{ .probes.readinessProbe.failureThreshold }}
  timeoutSeconds: {{ .probes.readinessProbe.timeoutSeconds }}
startupProbe:
  httpGet:
    path: /actuator/health/liveness
    port: management
  periodSeconds: {{ .probes.startupProbe.periodSeconds }}
  failureThreshold: {{ .probes.startupProbe.failureThreshold }}
  timeoutSeconds: {{ .probes.startupProbe.timeoutSeconds }}
{{- end }}

{{/* The env var that carries a remote engine's bearer key: GATEWAY_REMOTE_KEY_ and its name in capitals. */}}
{{- define "wan-gateway.cloudSourceKeyEnv" -}}
{{- printf "GATEWAY_CLOUD_SOURCE_KEY_%s" (. | upper | replace "-" "_") -}}
{{- end }}

{{- define "wan-gateway.remoteKeyEnv" -}}
{{- printf "GATEWAY_REMOTE_KEY_%s" (. | upper | replace "-" "_") -}}
{{- end }}
